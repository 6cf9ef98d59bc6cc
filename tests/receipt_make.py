#!/usr/bin/env python3
"""Test tool: writes a phone-edition receipt (学习回执) as a member would paste
it, with its check code made independently of coursepack's C and JS
(builder/source/receipt.h says how).

usage: receipt_make.py BUILD-ID TOWNSHIP-NAME VILLAGE-NAME NAME LESSONS FIRST LAST
  BUILD-ID  package id and recipe id: xiayang-madao/xiayang-2022-2023
  LESSONS   canonical: 1-5,7,9
The name is hashed as written: give one without spaces or full-width
letters."""
import sys

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def code(build, name, lessons, first, last):
    h = 0xcbf29ce484222325
    text = "coursepack receipt 1\n%s\n%s\n%s\n%s,%s" % (build, name, lessons, first, last)
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    v = h >> 24
    c = "".join(CROCKFORD[(v >> (35 - 5 * k)) & 31] for k in range(8))
    return c[:4] + "-" + c[4:]


def count(lessons):
    n = 0
    for part in lessons.split(","):
        a, _, b = part.partition("-")
        n += int(b or a) - int(a) + 1
    return n


def main():
    build, township, village, name, lessons, first, last = sys.argv[1:8]
    print("【学习回执】")
    print("乡镇：" + township)
    print("村：" + village)
    print("姓名：" + name)
    print("已学：%s（共 %d 课）" % (lessons, count(lessons)))
    print("日期：%s 至 %s" % (first, last))
    print("校验码：" + code(build, name, lessons, first, last))


main()
