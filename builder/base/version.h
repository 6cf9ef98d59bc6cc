/* The program's version, which the pages, the manifest and the catalogue
 * name as their generator. */
#ifndef COURSEPACK_VERSION_H
#define COURSEPACK_VERSION_H

#define COURSEPACK_VERSION "0.2.0"

#endif
