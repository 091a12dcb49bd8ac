# kiosk/: chopay-kiosk (the SDL2 touch app).
# Filled in by the kiosk issue; nothing is built here yet.
