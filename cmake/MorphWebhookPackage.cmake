# The Debian package: `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr
# builds morph-webhook_<version>_<arch>.deb with everything `cmake --install` installs (the CLI,
# the headers, the CMake package, the inbox libraries) and, when the CLI is built with `serve`,
# what running it as a service takes:
#   /etc/morph-webhook/morph-webhook.toml   the configuration (a conffile), generated from the
#                                           built binary's `serve --help` (default_config.cmake)
#   <unit dir>/morph-webhook.service        Type=notify, sandboxed (packaging/systemd/)
#   <unit dir>/morph-webhook-worker@.service  workers: `inbox work` / `forward`
#   share/man/man1/morph-webhook*.1.gz      from each command's --help (man_pages.cmake, help2man)
#   share/doc/morph-webhook/                copyright, changelog, production.md, examples/
# The maintainer scripts (packaging/debian/) create the morph-webhook system user and
# /var/lib/morph-webhook (the inbox), and remove the latter on purge.
include(GNUInstallDirs)

set(MORPH_WEBHOOK_PACKAGE_MAINTAINER "morph-webhook developers <morph-webhook@lists.example.org>"
    CACHE STRING "Maintainer field of the Debian package")

set(_mw_serve OFF)
if(TARGET morph-webhook)
  get_target_property(_mw_defs morph-webhook COMPILE_DEFINITIONS)
  if("MORPH_WEBHOOK_CLI_SERVE=1" IN_LIST _mw_defs)
    set(_mw_serve ON)
  endif()
endif()
# A sanitized build is never packaged: it does not run its binary at build time for the man
# pages and the configuration either.
if(_mw_serve AND NOT MORPH_WEBHOOK_SANITIZE)
  set(_mw_pkg "${CMAKE_CURRENT_BINARY_DIR}/packaging")
  set(MW_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")
  # /etc for the /usr prefix (GNUInstallDirs), <prefix>/etc otherwise.
  set(MW_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/morph-webhook")
  set(MW_CONFIG_FILE "${MW_CONFIG_DIR}/morph-webhook.toml")
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
      pkg_get_variable(_mw_unit_dir systemd systemdsystemunitdir)
    endif()
    if(NOT _mw_unit_dir)
      set(_mw_unit_dir "/lib/systemd/system")
    endif()
  else()
    set(_mw_unit_dir "${CMAKE_INSTALL_LIBDIR}/systemd/system")
  endif()
  set(MORPH_WEBHOOK_SYSTEMD_UNIT_DIR "${_mw_unit_dir}" CACHE STRING
      "Where the systemd units are installed")
  set(_mw_doc "${CMAKE_INSTALL_DATAROOTDIR}/doc/morph-webhook")

  configure_file(packaging/systemd/morph-webhook.service.in
                 "${_mw_pkg}/morph-webhook.service" @ONLY)
  configure_file(packaging/systemd/morph-webhook-worker@.service.in
                 "${_mw_pkg}/morph-webhook-worker@.service" @ONLY)
  configure_file(packaging/debian/conffiles.in "${_mw_pkg}/conffiles" @ONLY)
  install(FILES "${_mw_pkg}/morph-webhook.service" "${_mw_pkg}/morph-webhook-worker@.service"
          DESTINATION "${MORPH_WEBHOOK_SYSTEMD_UNIT_DIR}")

  # The configuration, from the binary's own options and defaults.
  add_custom_command(
    OUTPUT "${_mw_pkg}/morph-webhook.toml"
    COMMAND "${CMAKE_COMMAND}" -DEXE=$<TARGET_FILE:morph-webhook>
            -DOUTPUT=${_mw_pkg}/morph-webhook.toml
            -DHEADER=${PROJECT_SOURCE_DIR}/packaging/morph-webhook.toml.in
            -P "${PROJECT_SOURCE_DIR}/cmake/default_config.cmake"
    DEPENDS morph-webhook "${PROJECT_SOURCE_DIR}/packaging/morph-webhook.toml.in"
            "${PROJECT_SOURCE_DIR}/cmake/default_config.cmake"
    COMMENT "morph-webhook: the default configuration (serve --help)"
    VERBATIM)
  add_custom_target(morph-webhook-config ALL DEPENDS "${_mw_pkg}/morph-webhook.toml")
  install(FILES "${_mw_pkg}/morph-webhook.toml" DESTINATION "${MW_CONFIG_DIR}")

  # Man pages, when help2man is installed (Debian: help2man).
  find_program(MORPH_WEBHOOK_HELP2MAN help2man)
  find_program(MORPH_WEBHOOK_GZIP gzip)
  if(MORPH_WEBHOOK_HELP2MAN AND MORPH_WEBHOOK_GZIP)
    file(WRITE "${_mw_pkg}/files.h2m"
      "[FILES]\n"
      ".TP\n.I ${MW_CONFIG_FILE}\n"
      "The configuration of morph-webhook.service: every key is a long option of\n"
      ".BR \"morph-webhook serve\" .\n"
      ".TP\n.I ${MORPH_WEBHOOK_SYSTEMD_UNIT_DIR}/morph-webhook.service\n"
      "The receiver as a systemd service (Type=notify, user morph-webhook).\n"
      ".TP\n.I ${MORPH_WEBHOOK_SYSTEMD_UNIT_DIR}/morph-webhook-worker@.service\n"
      "Workers: morph-webhook-worker@NAME runs the arguments of ${MW_CONFIG_DIR}/worker-NAME.env.\n"
      ".TP\n.I /var/lib/morph-webhook\n"
      "The service's state directory: the inbox.\n")
    add_custom_command(
      OUTPUT "${_mw_pkg}/man.stamp"
      COMMAND "${CMAKE_COMMAND}" -DEXE=$<TARGET_FILE:morph-webhook> -DOUT_DIR=${_mw_pkg}/man
              -DHELP2MAN=${MORPH_WEBHOOK_HELP2MAN} -DGZIP=${MORPH_WEBHOOK_GZIP}
              -DVERSION=${PROJECT_VERSION} -DFILES_INCLUDE=${_mw_pkg}/files.h2m
              -P "${PROJECT_SOURCE_DIR}/cmake/man_pages.cmake"
      COMMAND "${CMAKE_COMMAND}" -E touch "${_mw_pkg}/man.stamp"
      DEPENDS morph-webhook "${PROJECT_SOURCE_DIR}/cmake/man_pages.cmake"
      COMMENT "morph-webhook: man pages (help2man)"
      VERBATIM)
    add_custom_target(morph-webhook-man ALL DEPENDS "${_mw_pkg}/man.stamp")
    install(DIRECTORY "${_mw_pkg}/man/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1"
            FILES_MATCHING PATTERN "*.1.gz")
  else()
    message(STATUS "morph-webhook: help2man not found, no man pages "
                   "(Debian: apt-get install help2man)")
  endif()

  # Debian's documentation directory: copyright, the changelog (gzipped, no timestamp), the
  # production guide, an example worker.
  string(TIMESTAMP _mw_date "%a, %d %b %Y %H:%M:%S +0000" UTC)  # honours SOURCE_DATE_EPOCH
  set(MW_VERSION "${PROJECT_VERSION}")
  set(MW_MAINTAINER "${MORPH_WEBHOOK_PACKAGE_MAINTAINER}")
  set(MW_DATE "${_mw_date}")
  set(MW_COMMIT "${MORPH_WEBHOOK_GIT_COMMIT}")
  if(NOT MW_COMMIT)
    find_package(Git QUIET)
    if(GIT_FOUND)
      execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" OUTPUT_VARIABLE MW_COMMIT
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    endif()
    if(NOT MW_COMMIT)
      set(MW_COMMIT "unknown")
    endif()
  endif()
  configure_file(packaging/debian/changelog.in "${_mw_pkg}/changelog" @ONLY)
  if(MORPH_WEBHOOK_GZIP)
    add_custom_command(
      OUTPUT "${_mw_pkg}/changelog.gz"
      COMMAND "${MORPH_WEBHOOK_GZIP}" -9nkf "${_mw_pkg}/changelog"
      DEPENDS "${_mw_pkg}/changelog"
      VERBATIM)
    add_custom_target(morph-webhook-changelog ALL DEPENDS "${_mw_pkg}/changelog.gz")
    install(FILES "${_mw_pkg}/changelog.gz" DESTINATION "${_mw_doc}")
  endif()
  install(FILES packaging/debian/copyright docs/production.md DESTINATION "${_mw_doc}")
  install(FILES packaging/worker-example.env DESTINATION "${_mw_doc}/examples")
  install(FILES packaging/debian/lintian-overrides DESTINATION
          "${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides" RENAME morph-webhook)

  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
      "${PROJECT_SOURCE_DIR}/packaging/debian/postinst"
      "${PROJECT_SOURCE_DIR}/packaging/debian/prerm"
      "${PROJECT_SOURCE_DIR}/packaging/debian/postrm"
      "${_mw_pkg}/conffiles")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
else()
  message(STATUS "morph-webhook: no service files, man pages or configuration in the package "
                 "(serve not built, or a sanitized build)")
endif()

set(CPACK_PACKAGE_NAME "morph-webhook")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "morph-webhook")
set(CPACK_PACKAGE_CONTACT "${MORPH_WEBHOOK_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_GENERATOR "DEB")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The headers and the CMake package need these to be used (find_dependency).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libsimdjson-dev, libsqlite3-dev, libhiredis-dev, curl")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "receiver, inbox and C++ library for Morph webhooks")
# The extended description (CPack puts the summary above it); lines under 80 columns.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"morph-webhook receives the webhooks of Morph, a unified CRM API.
`morph-webhook serve` checks each request against the webhook contract,
appends it to a durable, deduplicating inbox (SQLite or Redis) and answers
200 once it is stored; `morph-webhook inbox work` runs a command per delivery.
It runs as a systemd service (morph-webhook.service; workers as
morph-webhook-worker@.service) under its own system user, with the inbox in
/var/lib/morph-webhook.
.
The package also holds the header-only C++17 library that parses and checks
webhook requests, its CMake package (find_package(morph_webhook)) and the
inbox libraries.")
# Refuses a package whose paths would not be Debian's (see MorphWebhookPackageCheck.cmake).
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/MorphWebhookPackageCheck.cmake")
include(CPack)
