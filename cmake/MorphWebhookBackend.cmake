# morph_webhook_add_inbox_backend(<name> <source> <private libraries>...): the compiled library
# of an inbox backend, morph_webhook_<name> (alias and export name morph::webhook_<name>), linked
# to the header-only core and built with the project's warning and sanitizer flags (without
# exporting the helper target that carries them). As a subproject it is compiled only when the
# parent links it.
function(morph_webhook_add_inbox_backend name source)
  set(target morph_webhook_${name})
  add_library(${target} ${source})
  add_library(morph::webhook_${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME webhook_${name}
    OUTPUT_NAME ${target}
    POSITION_INDEPENDENT_CODE ON)
  if(NOT PROJECT_IS_TOP_LEVEL)
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
  target_link_libraries(${target} PUBLIC morph::webhook PRIVATE ${ARGN})
  target_compile_options(${target} PRIVATE
    $<TARGET_PROPERTY:morph_webhook_warnings,INTERFACE_COMPILE_OPTIONS>)
  target_link_options(${target} PRIVATE
    $<TARGET_PROPERTY:morph_webhook_warnings,INTERFACE_LINK_OPTIONS>)
endfunction()
