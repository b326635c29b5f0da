"""Marks one version requirement of an ELF shared object weak (VER_FLG_WEAK), so that the dynamic loader warns
instead of failing when the library that should define it is older."""
import struct, sys

path, version = sys.argv[1], sys.argv[2].encode()
b = bytearray(open(path, "rb").read())
assert b[:4] == b"\x7fELF" and b[4] == 2 and b[5] == 1, "expects a 64-bit little-endian ELF"
shoff, = struct.unpack_from("<Q", b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3A)
secs = [struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize) for i in range(shnum)]
SHT_GNU_verneed = 0x6FFFFFFE
done = 0
for name, typ, flags, addr, off, size, link, info, align, entsize in secs:
    if typ != SHT_GNU_verneed:
        continue
    stroff = secs[link][4]
    p = off
    for _ in range(info):
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", b, p)
        a = p + vn_aux
        for _ in range(vn_cnt):
            vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", b, a)
            s = stroff + vna_name
            if b[s:b.index(b"\0", s)] == version:
                struct.pack_into("<H", b, a + 4, vna_flags | 0x2)
                done += 1
            a += vna_next
        p += vn_next
if not done:
    sys.exit(f"{path}: no requirement of version {version.decode()}")
open(path, "wb").write(b)
print(f"{path}: {version.decode()} marked weak ({done})")
