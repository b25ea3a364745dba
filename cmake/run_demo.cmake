# Runs the CLI on the sample bodies, then on the sample NDJSON log with the sample headers.
file(GLOB bodies "${PAYLOADS}/*.json")
file(GLOB invalid "${PAYLOADS}/invalid/*.json")
message("\n$ morph-webhook check examples/payloads/*.json examples/payloads/invalid/*.json")
execute_process(COMMAND ${CLI} check ${bodies} ${invalid} RESULT_VARIABLE rc1)
message("\n$ morph-webhook check --ndjson --headers examples/payloads/headers.txt examples/payloads/events.ndjson")
execute_process(COMMAND ${CLI} check --ndjson --headers ${PAYLOADS}/headers.txt
                        ${PAYLOADS}/events.ndjson RESULT_VARIABLE rc2)
foreach(rc IN ITEMS "${rc1}" "${rc2}")
  if(NOT rc MATCHES "^[01]$")
    message(FATAL_ERROR "morph-webhook failed (exit status ${rc})")
  endif()
endforeach()
