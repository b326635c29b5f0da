#!/usr/bin/env bash
# Builds the libtorch peer (TorchSharp-cpu 0.107 = libtorch 2.10, about 600 MB from NuGet on first use) and, where the
# system's libstdc++ is older than GCC 13's (Debian 12: GCC 12), prepares a copy of TorchSharp's native glue that
# loads there: libLibTorchSharp.so asks for exactly one GCC 13 symbol, std::ios_base_library_init (GCC 13's
# replacement for the per-file static std::ios_base::Init object); the copy takes it, unversioned, from a one-line
# shim (ios_init_shim.cpp) and finds libtorch where TorchSharp loads it (the build's runtimes/). The NuGet cache is not touched. Needs g++ and patchelf
# (apt-get install g++ patchelf). Prints the peer's dll path on success.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
dotnet build -c Release "$here/LibtorchStep.csproj" -v q -nologo > "$log" 2>&1 || { cat "$log" >&2; echo "libtorch peer: the build failed (TorchSharp-cpu 0.107.0 must restore from NuGet)" >&2; exit 1; }
out=$here/bin/Release/net10.0
pkgs=${NUGET_PACKAGES:-$HOME/.nuget/packages}
natives=("$pkgs/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native" "$pkgs/torchsharp/0.107.0/runtimes/linux-x64/native")
glue=${natives[1]}/libLibTorchSharp.so
[[ -f $glue ]] || { echo "libtorch peer: $glue not found after the restore" >&2; exit 1; }
rm -rf "$out/native"
if LD_LIBRARY_PATH=${natives[0]} ldd "$glue" | grep -q "not found"; then
  command -v patchelf > /dev/null && command -v g++ > /dev/null || { echo "libtorch peer: this libstdc++ predates GCC 13; install g++ and patchelf (apt-get install g++ patchelf) to prepare the glue" >&2; exit 1; }
  mkdir -p "$out/native"
  cp "$glue" "$out/native/"
  g++ -O2 -shared -fPIC -o "$out/native/libios_init_shim.so" "$here/ios_init_shim.cpp"
  n=$out/native/libLibTorchSharp.so
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$n"
  python3 "$here/weak_version.py" "$n" GLIBCXX_3.4.32 > /dev/null
  # libtorch from the build's runtimes/, the very files TorchSharp loads: a second copy would register its operators twice.
  patchelf --add-needed libios_init_shim.so --set-rpath '$ORIGIN:$ORIGIN/../runtimes/linux-x64/native' "$n"
  if ldd "$n" | grep "not found" | grep -v "weak version"; then echo "libtorch peer: the prepared glue still misses the libraries above" >&2; exit 1; fi
fi
echo "$out/LibtorchStep.dll"
