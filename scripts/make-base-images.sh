#!/usr/bin/env bash
# Makes the two base images the Dockerfile names, where no image registry is reachable: both
# from Debian bookworm with debootstrap, imported under the exact `FROM` names. Skips an image
# that already exists.
#   debian:bookworm-slim  minimal bookworm with Concord's runtime libraries and Leaflet (the console's map)
#   swift:6.3-bookworm    bookworm with the build dependencies and this machine's Swift toolchain
set -euo pipefail
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
swift_root=${SWIFT_ROOT:-$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")}
work=$(mktemp -d /tmp/concord-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  echo "debootstrap: debian:bookworm-slim"
  debootstrap --variant=minbase --include=libzmq5,libsqlite3-0,ca-certificates,libjs-leaflet bookworm "$work/slim" "$mirror" >/dev/null
  rm -rf "$work"/slim/var/cache/apt/archives/*.deb "$work"/slim/var/lib/apt/lists/*
  tar -C "$work/slim" -c . | docker import --change 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
fi

if ! docker image inspect swift:6.3-bookworm >/dev/null 2>&1; then
  echo "debootstrap: swift:6.3-bookworm (toolchain from $swift_root)"
  debootstrap --variant=minbase \
    --include=binutils,libc6-dev,libgcc-12-dev,libstdc++-12-dev,libcurl4-openssl-dev,libxml2-dev,zlib1g-dev,libuuid1,libedit2,libncurses6,libsqlite3-dev,libzmq3-dev,pkg-config,tzdata,ca-certificates,git \
    bookworm "$work/swift" "$mirror" >/dev/null
  rm -rf "$work"/swift/var/cache/apt/archives/*.deb "$work"/swift/var/lib/apt/lists/*
  mkdir -p "$work/swift/opt"
  cp -a "$swift_root" "$work/swift/opt/swift"
  tar -C "$work/swift" -c . | docker import \
    --change 'ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - swift:6.3-bookworm >/dev/null
fi
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E '^(debian:bookworm-slim|swift:6.3-bookworm) '
