# packaging/: Debian packages (packaging/debian/), systemd units, the nginx
# TLS front end (packaging/nginx/), default configs (packaging/conf/) and
# the arm64 cross build. Targets:
#   make deb                the four .debs in $(BUILD)/deb/, lintian-checked
#   make deb ARCH=arm64     the same cross-built for arm64, in $(BUILD)/deb-arm64/
#   make deb-check          install, run, stop and purge chopay-server (root)
#   make tls-check          nginx with a private CA in front of the server
#   make cross-check ARCH=arm64   cross-build, tests under qemu-user

SYSCONFDIR ?= $(PREFIX)/etc

# What `make install` puts in $(SYSCONFDIR)/chopay (never over an existing
# file) and in $(DATADIR) (everything in assets/ but its README).
INSTALL_CONF = packaging/conf/server.conf packaging/conf/kiosk.conf \
               packaging/conf/loa.conf

.PHONY: deb deb-check tls-check cross-check print-tests print-c-tests

# The packages: dpkg-buildpackage in a copy of the tree, so the source
# stays clean. DEB_BUILD_OPTIONS is passed on (default: nocheck, since
# `make check` runs the same tests; DEB_BUILD_OPTIONS= runs them again
# against the hardened package build).
DEB_BUILD_OPTIONS ?= nocheck
deb:
	@DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" \
	  sh packaging/deb.sh $(BUILD)/deb$(if $(ARCH),-$(ARCH)) $(ARCH)

deb-check:
	@sh tests/packaging/test_deb.sh $(BUILD)/deb

tls-check: $(PROGRAMS)
	@CHOPAY_BUILD=$(BUILD) sh tests/packaging/test_tls.sh

# ARCH=arm64 (the only one so far, and the default): cross-built into
# $(BUILD)/$(ARCH).
cross-check:
	@sh packaging/cross.sh $(BUILD) $(or $(ARCH),arm64)

# nginx + private CA in front of the real server, curl and the kiosk as
# clients: 31 checks in about 7 s.
# Part of `make check` (needs nginx-light, openssl, curl, python3).
TESTS += tests/packaging/test_tls.sh

# Test lists: all of them (the cross build runs these under qemu), and the
# C test binaries alone (the package build runs these).
print-tests:
	@echo $(TESTS)
print-c-tests:
	@echo $(filter-out %.sh,$(TESTS))
