# CPACK_PROJECT_CONFIG_FILE: read by cpack before it builds a package. A .deb installs under
# /usr: a build configured for another prefix (default /usr/local) would put the files, the
# configuration (/usr/local/etc) and the libraries (lib, not lib/<multiarch>) where Debian does
# not look.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "morph-webhook: the Debian package needs a build configured with "
                      "-DCMAKE_INSTALL_PREFIX=/usr (this one: ${CPACK_PACKAGING_INSTALL_PREFIX})")
endif()
