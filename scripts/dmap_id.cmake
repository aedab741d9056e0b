# dmap_id.cmake: writes OUT, a header defining LX_DMAP_CODE_ID, the
# SHA-256 of the sources SRCS (separated by |) that decide what the compiled
# dictionaries hold (engine/dictmap.h), so that a file made by one build is
# never read by a build of other code (tokenizer, stemmers, entry parser).
#   cmake "-DSRCS=a.c|b.c" -DOUT=dmap_id.h -P dmap_id.cmake
string(REPLACE "|" ";" srcs "${SRCS}")
set(all "")
foreach(f ${srcs})
  file(SHA256 ${f} h)
  string(APPEND all "${h}\n")
endforeach()
string(SHA256 id "${all}")
set(text "#define LX_DMAP_CODE_ID \"${id}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
