#!/usr/bin/env bash
# PoCL 6.0, a real OpenCL runtime on the CPU that ILGPU 1.5.3 accepts (OpenCL 3.0 with the generic address space;
# Debian 12's own PoCL 3.1 lacks it, and ILGPU refuses it): built from Debian trixie's `pocl` 6.0 source package
# against bookworm's LLVM 15 and installed into a private prefix with an ICD file of its own. Nothing else on the system
# changes: trixie's source index is read through a private apt configuration.
#
#   usage (as root):  bash tools/pocl6.sh [PREFIX]          (default /opt/pocl6; about 2.5 minutes on two cores)
#   then:             export OCL_ICD_VENDORS=PREFIX/vendors  (this ICD alone: PoCL 3.1 and 6.0 cannot load in one
#                                                            process), and `untapped devices` lists the PoCL device
#                     (untapped sets POCL_WORK_GROUP_METHOD=cbs for itself unless you set it: see README)
#
# Exit: 0 built (or already there), 1 a step failed (its own output is shown).
set -euo pipefail
prefix=${1:-/opt/pocl6}
if [ -f "$prefix/lib/libpocl.so.2" ] && [ -f "$prefix/vendors/pocl6.icd" ]; then
  echo "PoCL 6.0 is in $prefix already: export OCL_ICD_VENDORS=$prefix/vendors"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: tools/pocl6.sh installs build dependencies with apt-get: run it as root (or with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A step runs quietly; when it fails, its own last 40 lines are shown, not just an exit code.
step() {
  local what=$1 out rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "error: $what failed (exit $rc): $*" >&2
    printf '%s\n' "$out" | tail -40 >&2
    exit 1
  fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "pocl6: installing the build dependencies (LLVM 15, clang 15, cmake, the OpenCL ICD loader, hwloc)"
step "apt-get update" apt-get update -qq
step "installing the build dependencies" apt-get install -y -qq --no-install-recommends llvm-15-dev libclang-15-dev \
  libclang-cpp15-dev clang-15 cmake make pkg-config ocl-icd-dev ocl-icd-opencl-dev ocl-icd-libopencl1 libhwloc-dev \
  dpkg-dev
# trixie's source index only, through a private apt configuration.
uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
mkdir -p "$work/apt/lists/partial" "$work/apt/parts" "$work/apt/cache"
printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  "$uri" > "$work/apt/parts/trixie-src.sources"
A=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/apt/parts" -o Dir::State::Lists="$work/apt/lists"
  -o Dir::Cache="$work/apt/cache")
echo "pocl6: fetching Debian's pocl 6.0-6 source package (trixie)"
step "reading trixie's source index" apt-get "${A[@]}" update -qq
step "downloading pocl 6.0-6's source" bash -c "cd '$work' && apt-get ${A[*]} source --download-only -qq pocl=6.0-6"
step "unpacking the source" tar -xzf "$work"/pocl_6.0.orig.tar.gz -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'pocl*' | head -1)
echo "pocl6: building (cmake + make -j$(nproc)) into $prefix"
step "cmake" cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DWITH_LLVM_CONFIG=/usr/bin/llvm-config-15 \
  -DENABLE_ICD=ON -DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF -DENABLE_SPIRV=OFF -DCMAKE_INSTALL_PREFIX="$prefix"
step "make" make -C "$work/build" -j"$(nproc)"
step "make install" make -C "$work/build" install
mkdir -p "$prefix/vendors" && echo "$prefix/lib/libpocl.so.2" > "$prefix/vendors/pocl6.icd"
echo "PoCL 6.0 in $prefix: export OCL_ICD_VENDORS=$prefix/vendors"
