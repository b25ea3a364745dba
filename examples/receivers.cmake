# Webhook receivers, each built only when its HTTP stack is found. Targets: httplib_receiver
# (cpp-httplib), beast_receiver (Boost.Beast); both land in <build>/examples/.
#
# Included from examples/CMakeLists.txt and from tests/e2e/CMakeLists.txt (which runs first and
# needs the targets even when MORPH_WEBHOOK_BUILD_EXAMPLES is OFF); the guard makes the second
# include a no-op. In the including directory it also leaves the imported target
# httplib::httplib (when found) for the e2e client.
include_guard(GLOBAL)
set(_mw_receivers_dir ${CMAKE_CURRENT_LIST_DIR})
set(_mw_receivers_out ${morph_webhook_BINARY_DIR}/examples)

include(${morph_webhook_SOURCE_DIR}/cmake/MorphWebhookHttpStacks.cmake)

if(TARGET httplib::httplib)
  add_executable(httplib_receiver ${_mw_receivers_dir}/httplib_receiver.cpp)
  set_target_properties(httplib_receiver PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${_mw_receivers_out})
  target_link_libraries(httplib_receiver PRIVATE morph::webhook morph_webhook_warnings
                        httplib::httplib)
  message(STATUS "morph-webhook: building httplib_receiver")
else()
  message(STATUS "morph-webhook: cpp-httplib not found, skipping httplib_receiver")
endif()

# beast_receiver shares its command line (CLI11) and its log line with `morph-webhook serve`
# (tools/cli/server_options.hpp, tools/cli/log.hpp: header-only).
if(NOT TARGET CLI11::CLI11)
  find_package(CLI11 CONFIG QUIET)
endif()
if(TARGET Boost::headers AND Threads_FOUND AND TARGET CLI11::CLI11)
  add_executable(beast_receiver ${_mw_receivers_dir}/beast_receiver.cpp)
  set_target_properties(beast_receiver PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${_mw_receivers_out})
  target_include_directories(beast_receiver PRIVATE ${morph_webhook_SOURCE_DIR}/tools)
  target_link_libraries(beast_receiver PRIVATE morph::webhook morph_webhook_warnings
                        Boost::headers Threads::Threads CLI11::CLI11)
  message(STATUS "morph-webhook: building beast_receiver")
else()
  message(STATUS "morph-webhook: Boost (>= 1.75, for Beast) or CLI11 not found, skipping "
                 "beast_receiver")
endif()
