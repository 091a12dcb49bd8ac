# server/: chopay-server (the daemon and its operator commands).
# Filled in by the server issue; nothing is built here yet.
