include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MORPH_WEBHOOK_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/morph_webhook"
    CACHE STRING "Where morph_webhookConfig.cmake is installed")

install(TARGETS morph_webhook EXPORT morph_webhookTargets)
if(MORPH_WEBHOOK_HAS_SQLITE)
  install(TARGETS morph_webhook_sqlite EXPORT morph_webhookTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
endif()
if(MORPH_WEBHOOK_HAS_REDIS)
  install(TARGETS morph_webhook_redis EXPORT morph_webhookTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
endif()
if(MORPH_WEBHOOK_HAS_SIGNING)
  install(TARGETS morph_webhook_signing EXPORT morph_webhookTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
endif()
install(DIRECTORY include/ DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT morph_webhookTargets
  NAMESPACE morph::
  DESTINATION "${MORPH_WEBHOOK_CMAKE_DIR}")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/morph_webhookConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/morph_webhookConfig.cmake"
  INSTALL_DESTINATION "${MORPH_WEBHOOK_CMAKE_DIR}")
# Header-only, the package fits any architecture; with a compiled inbox library it does not.
if(MORPH_WEBHOOK_HAS_SQLITE OR MORPH_WEBHOOK_HAS_REDIS OR MORPH_WEBHOOK_HAS_SIGNING)
  set(_mw_arch_independent "")
else()
  set(_mw_arch_independent ARCH_INDEPENDENT)
endif()
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/morph_webhookConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion
  ${_mw_arch_independent})
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/morph_webhookConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/morph_webhookConfigVersion.cmake"
  DESTINATION "${MORPH_WEBHOOK_CMAKE_DIR}")
