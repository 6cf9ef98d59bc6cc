/* The subcommands, one file each (cmd_*.c), dispatched by main.c.  Each
 * gets argv with argv[0] the command's name and returns the exit status:
 * 0 success, 1 problems in the inputs, 2 usage, 3 system error. */
#ifndef COURSEPACK_COMMANDS_H
#define COURSEPACK_COMMANDS_H

#include "diag.h"
#include "version.h"

/* For commands whose only option is -h/--help: returns -1 to go on
 * (optind at the first operand), else the exit status to return. */
int options_help_only(int argc, char *argv[], const char *usage);

int cmd_apply(int argc, char *argv[]);
int cmd_catalog(int argc, char *argv[]);
int cmd_delta(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_export(int argc, char *argv[]);
int cmd_plan(int argc, char *argv[]);
int cmd_review(int argc, char *argv[]);
int cmd_build(int argc, char *argv[]);
int cmd_serve(int argc, char *argv[]);
int cmd_sheets(int argc, char *argv[]);
int cmd_diff(int argc, char *argv[]);
int cmd_info(int argc, char *argv[]);
int cmd_ledger(int argc, char *argv[]);
int cmd_keygen(int argc, char *argv[]);
int cmd_unpack(int argc, char *argv[]);
int cmd_verify(int argc, char *argv[]);

#endif
