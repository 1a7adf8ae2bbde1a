# Runs one golden case (see pcaps/GOLDEN) and compares with the expected file.
#   -DBIN=wirestate -DSRC=<source dir> -DPCAPS=a.pcap[+b.pcap] -DFORMAT=json
#   -DEXPECTED=<file under pcaps/expected> -DOPTIONS="extra args" -DOUT=<output file>
string(REPLACE "+" ";" pcap_list "${PCAPS}")
set(args --format ${FORMAT})
foreach(p ${pcap_list})
  list(APPEND args -r ${SRC}/pcaps/${p})
endforeach()
separate_arguments(opts UNIX_COMMAND "${OPTIONS}")
get_filename_component(out_dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${out_dir})
set(ENV{TZ} UTC)
set(ENV{LC_ALL} C)
execute_process(COMMAND ${BIN} ${args} ${opts}
  OUTPUT_FILE ${OUT} ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wirestate exited with ${rc}: ${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${SRC}/pcaps/expected/${EXPECTED}
  RESULT_VARIABLE differs)
if(differs)
  execute_process(COMMAND diff -u ${SRC}/pcaps/expected/${EXPECTED} ${OUT})
  message(FATAL_ERROR "output differs from pcaps/expected/${EXPECTED} "
                      "(if the change is intended: pcaps/update-golden.sh <build dir> <name>)")
endif()
