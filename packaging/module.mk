# packaging/: Debian packages, systemd units, TLS front-end configuration
# and the arm64 cross build. Filled in by the packaging issue.
