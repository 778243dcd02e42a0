# One image for every part: `concord run <part>` (see compose.yaml).
#
# Offline build (what `make image` does): the Swift packages are resolved on the host first and
# come in with the build context (.build/checkouts, .build/repositories, Package.resolved), so
# nothing but Debian's package mirror is reached. With internet access a plain
# `docker build -t concord .` works the same: SwiftPM fetches what is missing.

FROM swift:6.3-bookworm AS build
# Installed from Debian's mirror unless the base image already has them.
RUN dpkg -s libzmq3-dev libsqlite3-dev pkg-config >/dev/null 2>&1 \
    || (apt-get update && apt-get install -y --no-install-recommends libzmq3-dev libsqlite3-dev pkg-config \
        && rm -rf /var/lib/apt/lists/*)
WORKDIR /src
COPY Package.swift Package.resolved* ./
COPY .build/checkouts .build/checkouts
COPY .build/repositories .build/repositories
COPY Sources Sources
# The manifest names the test targets too, so their folders must be there (nothing of them is built).
COPY Tests Tests
RUN swift build -c release --product concord --static-swift-stdlib --disable-automatic-resolution \
    && cp .build/release/concord /usr/local/bin/concord && strip /usr/local/bin/concord

FROM debian:bookworm-slim
# libjs-leaflet: the console's map library, served from the image (no network needed).
RUN (dpkg -s libzmq5 libsqlite3-0 ca-certificates libjs-leaflet >/dev/null 2>&1 \
        || (apt-get update && apt-get install -y --no-install-recommends libzmq5 libsqlite3-0 ca-certificates libjs-leaflet \
            && rm -rf /var/lib/apt/lists/*)) \
    && useradd --system --uid 10001 --user-group --home-dir /data concord \
    && mkdir -p /data /recordings && chown concord:concord /data /recordings
COPY --from=build /usr/local/bin/concord /usr/local/bin/concord
USER concord
WORKDIR /data
VOLUME ["/data"]
EXPOSE 4222 7701 7702 7703 7704 7710 8080 9464
ENTRYPOINT ["/usr/local/bin/concord"]
CMD ["--help"]
