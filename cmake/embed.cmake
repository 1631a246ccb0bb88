# buurtlijn_embed(TARGET <lib> NAMESPACE <ns> FUNCTION <fn> FILES <path>...)
# Compiles files into a static library so the executable needs nothing beside it at
# run time. <ns>::<fn>() returns the files as {relative name, bytes} pairs.
function(buurtlijn_embed)
  cmake_parse_arguments(EMBED "" "TARGET;NAMESPACE;FUNCTION;BASE" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${EMBED_TARGET}_embedded.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${EMBED_NAMESPACE}
            -DFUNCTION=${EMBED_FUNCTION} -DBASE=${EMBED_BASE}
            "-DFILES=${EMBED_FILES}" -P "${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake"
    DEPENDS ${EMBED_FILES} "${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake"
    COMMENT "Embedding ${EMBED_TARGET}"
    VERBATIM)
  add_library(${EMBED_TARGET} STATIC "${out}")
endfunction()
