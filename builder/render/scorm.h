/* SCORM 1.2: imsmanifest.xml at the root of every bundle, so that a
 * learning-management system imports the zip as it is — one
 * organisation in plan order, one item and one resource per lesson with
 * the files its page uses, the lesson's hours as typical learning time. */
#ifndef COURSEPACK_SCORM_H
#define COURSEPACK_SCORM_H

#include "plan.h"
#include "project.h"
#include "render.h"

#endif
