# ctest driver for the demo guest: runs `pcjit -bios demo.bin` and checks both the exit status
# and the console output (ctest's PASS_REGULAR_EXPRESSION alone would ignore the status).
# The expected sum comes from the Fibonacci identity F(1)+...+F(12) = F(14)-1 = 376.
# Variables: PCJIT (the executable), ROM (demo.bin), ARGS (extra options, ;-list), EXPECT_TRACE.
execute_process(COMMAND ${PCJIT} -bios ${ROM} --max-insns 100000 ${ARGS}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pcjit exited with '${status}' (expected 0)\nstdout:\n${out}\nstderr:\n${err}")
endif()
foreach(line "pcjit demo: fib\\(1..12\\) = 1 1 2 3 5 8 13 21 34 55 89 144 " "pcjit demo: sum = 376" "pcjit demo: ok")
  if(NOT out MATCHES "${line}")
    message(FATAL_ERROR "missing '${line}' in the console output:\n${out}\nstderr:\n${err}")
  endif()
endforeach()
if(EXPECT_TRACE)
  # The trace must show the final OUT to the exit port with its operands, and the stop line.
  foreach(line "out 0xF4, al" "stop: guest wrote 0x0 to the exit port" "wr 2 \\[0x00006ffe\\]")
    if(NOT err MATCHES "${line}")
      message(FATAL_ERROR "missing '${line}' in the trace (stderr):\n${err}")
    endif()
  endforeach()
endif()
