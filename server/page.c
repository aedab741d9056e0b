/*
 * page.c -- the search page served at GET /.
 *
 * The page is server/page.html, a single static file (HTML, CSS and plain
 * JavaScript; no build step) kept as HTML so it can be edited and checked
 * in a browser.  The assembler's .incbin copies it into the binary's
 * read-only data at compile time, followed by a NUL, so it is one C string
 * and the server needs no file at run time.  CMake passes its absolute
 * path as LECTERN_PAGE_HTML and recompiles this file when it changes.
 */
#include <stddef.h>

#include "server.h"

#ifndef LECTERN_PAGE_HTML
#error "LECTERN_PAGE_HTML must name server/page.html (set by server/CMakeLists.txt)"
#endif

__asm__(".pushsection .rodata\n"
        ".global page_html\n"
        ".type page_html, @object\n"
        "page_html:\n"
        ".incbin \"" LECTERN_PAGE_HTML "\"\n"
        "page_html_end:\n"
        ".byte 0\n"
        ".size page_html, . - page_html\n"
        ".balign 8\n"
        ".global page_html_len\n"
        ".type page_html_len, @object\n"
        "page_html_len:\n"
        ".quad page_html_end - page_html\n"
        ".size page_html_len, 8\n"
        ".popsection\n");
