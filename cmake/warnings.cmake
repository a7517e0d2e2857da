# One place for compiler warnings; every project target calls pcjit_warnings().
function(pcjit_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                         -Wno-missing-field-initializers)
  if(PCJIT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PCJIT_STATS)
    target_compile_definitions(${target} PRIVATE PCJIT_STATS=1)
  endif()
endfunction()
