/* What export writes for people: each kit's README.txt (使用说明) and index.html,
 * and the delivery list (delivery.html, print-ready A4, and
 * delivery.csv).  Chinese; byte-reproducible (no clock, no paths of the
 * computer it was made on); no member names, only counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "util.h"

/* "1a2b 3c4d 5e6f 7a8b": the first 16 hex digits of a SHA-256. */
static void
fingerprint(const char *sha256, char out[20])
{
	snprintf(out, 20, "%.4s %.4s %.4s %.4s", sha256, sha256 + 4, sha256 + 8, sha256 + 12);
}

static void
size_text(unsigned long long n, char out[32])
{
	if (n < 1024)
		snprintf(out, 32, "%llu 字节", n);
	else if (n < 1024ULL * 1024)
		snprintf(out, 32, "%.1f KB", (double)n / 1024);
	else
		snprintf(out, 32, "%.1f MB", (double)n / 1048576);
}

static const struct export_file *
bundle_of(const struct export_kit *k)
{
	return &k->files[0];	/* kit_load adds the bundle first */
}

/* The phone edition's name, if the kit has one. */
static const char *
phone_of(const struct export_kit *k)
{
	size_t i;

	for (i = 0; i < k->nfiles; i++)
		if (has_suffix(k->files[i].name, "-phone.html"))
			return k->files[i].name;
	return NULL;
}

/* "  NAME" padded to `width` columns, CJK characters two wide. */
static void
pad_to(struct buf *b, const char *name, int width)
{
	int w = utf8_width(name);

	buf_printf(b, "  %s ", name);
	for (; w < width; w++)
		buf_puts(b, " ");
}

/* Notepad and every Windows editor: a BOM, and CRLF line ends. */
static char *
windows_text(const char *text)
{
	struct buf b = {0};
	const char *p;

	buf_puts(&b, "\xEF\xBB\xBF");
	for (p = text; *p; p++) {
		if (*p == '\n')
			buf_add(&b, "\r", 1);
		buf_add(&b, p, 1);
	}
	return buf_detach(&b);
}

char *
export_readme(const struct export_kit *k, const char *keyname)
{
	const struct export_file *z = bundle_of(k);
	struct buf b = {0};
	char *out;
	size_t i;

	buf_printf(&b, "%s %s %s 学习资料包\n", k->township_name ? k->township_name : "",
	    k->village_name ? k->village_name : "", k->season ? k->season : "");
	buf_puts(&b, "====================================================\n\n");
	buf_puts(&b, "本文件夹里有：\n");
	for (i = 0; i < k->nfiles; i++) {
		char size[32];

		if (k->files[i].instructions)
			continue;	/* this file and index.html, below */
		size_text(k->files[i].size, size);
		pad_to(&b, k->files[i].name, 32);
		buf_printf(&b, "%s（%s）\n", k->files[i].what, size);
	}
	pad_to(&b, "README.txt", 32);
	buf_puts(&b, "本说明\n");
	pad_to(&b, "index.html", 32);
	buf_puts(&b, "本说明的网页版，可点击打开各文件\n\n");
	if (k->bundle) {
		buf_puts(&b, "一、这是更新补丁，不是完整的课程包\n");
		buf_printf(&b, "  %s 只含这次改动的部分，要打在村里上次收到的课程包 %s 上\n", z->name, k->bundle);
		buf_printf(&b, "  （上次那个文件的 SHA256 应为 %s）。\n", k->old_sha256);
		buf_puts(&b, "  在装有 coursepack 的电脑上，把两个文件放进同一个文件夹，运行：\n");
		buf_printf(&b, "       coursepack apply %s %s -o %s\n", k->bundle, z->name, k->bundle);
		buf_printf(&b, "  打好后的 %s 的 SHA256 应为 %s，然后照下面的办法解压、打开。\n\n", k->bundle, k->new_sha256);
	}
	buf_puts(&b, k->bundle ? "二、怎样打开\n" : "一、怎样打开\n");
	buf_printf(&b, "  1. 在 %s 上点右键，选“全部解压缩”（Windows 自带，不用装软件）。\n", k->bundle ? k->bundle : z->name);
	buf_puts(&b, "  2. 打开解压出来的文件夹，双击 index.html，就能用浏览器阅读。不需要联网。\n");
	if (phone_of(k))
		buf_printf(&b, "  3. %s 是手机版：发到党员手机上，用手机浏览器打开。\n", phone_of(k));
	buf_puts(&b, "\n");
	buf_puts(&b, k->bundle ? "三、在 Windows 电脑上检查文件是否完好（不需要装任何软件）\n" :
				 "二、在 Windows 电脑上检查文件是否完好（不需要装任何软件）\n");
	buf_puts(&b, "  1. 按 Win+R，输入 cmd，按回车。\n");
	buf_puts(&b, "  2. 输入下面这行（把 E: 换成U盘的盘符），按回车：\n");
	buf_printf(&b, "       certutil -hashfile \"E:\\%s\\%s\" SHA256\n", k->folder, z->name);
	buf_puts(&b, "  3. 把显示的一长串字母数字与下面对照，完全一样就说明文件完好：\n");
	buf_printf(&b, "       %s\n", z->sha256);
	buf_puts(&b, "     （Windows 7 显示的字符之间有空格，不看空格对照即可。）\n");
	buf_puts(&b, "  其他文件的 SHA256 值：\n");
	for (i = 1; i < k->nfiles; i++)
		if (!k->files[i].instructions)
			buf_printf(&b, "     %s\n       %s\n", k->files[i].name, k->files[i].sha256);
	buf_puts(&b, k->bundle ? "\n四、用 coursepack 检查（装有 coursepack 的电脑）\n" :
				 "\n三、用 coursepack 检查（装有 coursepack 的电脑）\n");
	if (keyname)
		buf_printf(&b, "  coursepack verify --pubkey %s %s\n", keyname, k->bundle ? k->bundle : z->name);
	else
		buf_printf(&b, "  coursepack verify %s\n", k->bundle ? k->bundle : z->name);
	buf_puts(&b, "  显示 OK 即为完好；显示 BAD 请不要使用，联系乡镇组织办重新拷贝。\n");
	out = windows_text(b.data);
	buf_release(&b);
	return out;
}

static const char page_style[] =
    "body{font-family:sans-serif;max-width:48em;margin:1em auto;padding:0 1em;line-height:1.6}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em .5em;text-align:left}"
    "code{font-family:monospace;word-break:break-all}.n{text-align:right;white-space:nowrap}";

char *
export_index(const struct export_kit *k, const char *keyname)
{
	const struct export_file *z = bundle_of(k);
	struct buf b = {0};
	size_t i;

	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_escape(&b, k->village_name ? k->village_name : k->folder);
	buf_printf(&b, " 学习资料包</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", page_style);
	buf_escape(&b, k->township_name ? k->township_name : "");
	buf_puts(&b, " ");
	buf_escape(&b, k->village_name ? k->village_name : "");
	buf_puts(&b, " 学习资料包</h1>\n<p>");
	buf_escape(&b, k->season ? k->season : "");
	buf_puts(&b, "</p>\n<h2>本文件夹里有</h2>\n<table>\n<tr><th>文件</th><th>是什么</th><th>大小</th><th>SHA256</th></tr>\n");
	for (i = 0; i < k->nfiles; i++) {
		const struct export_file *f = &k->files[i];
		char size[32];

		if (f->instructions)
			continue;	/* this page and README.txt */
		size_text(f->size, size);
		buf_puts(&b, "<tr><td><a href=\"");
		buf_escape(&b, f->name);
		buf_puts(&b, "\">");
		buf_escape(&b, f->name);
		buf_puts(&b, "</a></td><td>");
		buf_escape(&b, f->what);
		buf_printf(&b, "</td><td class=\"n\">%s</td><td><code>%s</code></td></tr>\n", size, f->sha256);
	}
	buf_puts(&b, "</table>\n");
	if (k->bundle) {
		buf_puts(&b, "<h2>这是更新补丁，不是完整的课程包</h2>\n<p><code>");
		buf_escape(&b, z->name);
		buf_puts(&b, "</code> 只含这次改动的部分，要打在村里上次收到的课程包 <code>");
		buf_escape(&b, k->bundle);
		buf_printf(&b, "</code> 上（上次那个文件的 SHA256 应为 <code>%s</code>）。在装有 coursepack 的电脑上，"
		    "把两个文件放进同一个文件夹，运行：</p>\n<pre><code>coursepack apply ", k->old_sha256);
		buf_escape(&b, k->bundle);
		buf_puts(&b, " ");
		buf_escape(&b, z->name);
		buf_puts(&b, " -o ");
		buf_escape(&b, k->bundle);
		buf_printf(&b, "</code></pre>\n<p>打好后的课程包 SHA256 应为 <code>%s</code>，然后照下面的办法解压、打开。</p>\n",
		    k->new_sha256);
	}
	buf_puts(&b, "<h2>一、怎样打开</h2>\n<ol>\n<li>在 <a href=\"");
	buf_escape(&b, k->bundle ? k->bundle : z->name);
	buf_puts(&b, "\">");
	buf_escape(&b, k->bundle ? k->bundle : z->name);
	buf_puts(&b, "</a> 上点右键，选“全部解压缩”（Windows 自带，不用装软件）。</li>\n"
	    "<li>打开解压出来的文件夹，双击 <code>index.html</code>，就能用浏览器阅读。不需要联网。</li>\n");
	if (phone_of(k)) {
		buf_puts(&b, "<li><a href=\"");
		buf_escape(&b, phone_of(k));
		buf_puts(&b, "\">手机版</a>：发到党员手机上，用手机浏览器打开。</li>\n");
	}
	buf_puts(&b, "</ol>\n<h2>二、在 Windows 电脑上检查文件是否完好</h2>\n<p>不需要装任何软件。按 Win+R，输入 <code>cmd</code>，按回车，"
	    "再输入下面这行（把 <code>E:</code> 换成U盘的盘符）：</p>\n<pre><code>certutil -hashfile \"E:\\");
	buf_escape(&b, k->folder);
	buf_puts(&b, "\\");
	buf_escape(&b, z->name);
	buf_printf(&b, "\" SHA256</code></pre>\n<p>显示的一长串字母数字与上表的 SHA256 完全一样，就说明文件完好"
	    "（Windows 7 显示的字符之间有空格，不看空格对照即可）。</p>\n"
	    "<h2>三、用 coursepack 检查</h2>\n<pre><code>coursepack verify ");
	if (keyname) {
		buf_puts(&b, "--pubkey ");
		buf_escape(&b, keyname);
		buf_puts(&b, " ");
	}
	buf_escape(&b, k->bundle ? k->bundle : z->name);
	buf_puts(&b, "</code></pre>\n<p>显示 OK 即为完好；显示 BAD 请不要使用，联系乡镇组织办重新拷贝。</p>\n</body>\n</html>\n");
	return buf_detach(&b);
}

static const char delivery_style[] =
    "@page{size:A4;margin:15mm}"
    "body{font-family:sans-serif;font-size:11pt;margin:0 auto;max-width:180mm;line-height:1.5}"
    "section{page-break-after:always;break-after:page}section:last-child{page-break-after:auto;break-after:auto}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #444;padding:.2em .4em;text-align:left}"
    ".n{text-align:right;white-space:nowrap}code{font-family:monospace;white-space:nowrap}"
    ".sign{display:flex;gap:1em;margin-top:1em}.box{flex:1;border:1px solid #444;height:22mm;padding:.3em .5em}";

static void
delivery_section(struct buf *b, const struct export_kit *k)
{
	unsigned long long total = 0;
	size_t i;
	char size[32];

	buf_puts(b, "<section>\n<h1>");
	buf_escape(b, k->township_name ? k->township_name : "");
	buf_puts(b, " ");
	buf_escape(b, k->village_name ? k->village_name : "");
	buf_puts(b, " 学习资料送达单</h1>\n<p>");
	buf_escape(b, k->season ? k->season : "");
	buf_puts(b, "　U盘文件夹：<code>");
	buf_escape(b, k->folder);
	buf_puts(b, "</code></p>\n<table>\n<tr><th>文件</th><th>是什么</th><th class=\"n\">大小（字节）</th><th>指纹（SHA256 前16位）</th></tr>\n");
	for (i = 0; i < k->nfiles; i++) {
		const struct export_file *f = &k->files[i];
		char fp[20];

		fingerprint(f->sha256, fp);
		total += f->size;
		buf_puts(b, "<tr><td>");
		buf_escape(b, f->name);
		buf_puts(b, "</td><td>");
		buf_escape(b, f->what);
		buf_printf(b, "</td><td class=\"n\">%llu</td><td><code>%s</code></td></tr>\n", f->size, fp);
	}
	size_text(total, size);
	buf_printf(b, "<tr><th colspan=\"2\">合计 %zu 个文件</th><td class=\"n\">%llu</td><td>%s</td></tr>\n</table>\n",
	    k->nfiles, total, size);
	if (k->bundle) {
		char oldfp[20];

		fingerprint(k->old_sha256, oldfp);
		buf_puts(b, "<p>本村送的是<strong>更新补丁</strong>，不是整个课程包：打在村里上次收到的 <code>");
		buf_escape(b, k->bundle);
		buf_printf(b, "</code>（指纹 <code>%s</code>）上，用 <code>coursepack apply</code>。</p>\n", oldfp);
	}
	buf_printf(b, "<p>需印制家庭学习手册（居家党员）：<strong>%d</strong> 份</p>\n", k->homebound);
	buf_puts(b, "<div class=\"sign\"><div class=\"box\">送达日期：</div><div class=\"box\">送达人：</div>"
	    "<div class=\"box\">村党组织书记签收：</div></div>\n</section>\n");
}

char *
export_delivery_html(const struct export *e)
{
	struct buf b = {0};
	size_t i;

	buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>学习资料送达单</title>\n"
	    "<style>%s</style>\n</head>\n<body>\n", delivery_style);
	for (i = 0; i < e->nkits; i++)
		delivery_section(&b, &e->kits[i]);
	buf_puts(&b, "</body>\n</html>\n");
	return buf_detach(&b);
}

/* One row per file (bytes) and one per village (home booklets): each
 * numeric column sums to the delivery's total. */
char *
export_delivery_csv(const struct export *e, size_t *len)
{
	static const char *const head[] = {"township", "village", "village_name", "folder", "row", "file", "what",
	    "bytes", "fingerprint", "sha256", "home_booklets"};
	struct buf b = {0};
	size_t i, j;
	char *out;

	buf_puts(&b, "\xEF\xBB\xBF");
	for (i = 0; i < NELEM(head); i++)
		buf_csv_cell(&b, head[i], i + 1 == NELEM(head));
	for (i = 0; i < e->nkits; i++) {
		const struct export_kit *k = &e->kits[i];
		char n[32];

		buf_csv_cell(&b, k->township, 0);
		buf_csv_cell(&b, k->village, 0);
		buf_csv_cell(&b, k->village_name, 0);
		buf_csv_cell(&b, k->folder, 0);
		buf_csv_cell(&b, "village", 0);
		for (j = 0; j < 5; j++)
			buf_csv_cell(&b, NULL, 0);
		snprintf(n, sizeof n, "%d", k->homebound);
		buf_csv_cell(&b, n, 1);
		for (j = 0; j < k->nfiles; j++) {
			const struct export_file *f = &k->files[j];
			char fp[20];

			fingerprint(f->sha256, fp);
			buf_csv_cell(&b, k->township, 0);
			buf_csv_cell(&b, k->village, 0);
			buf_csv_cell(&b, k->village_name, 0);
			buf_csv_cell(&b, k->folder, 0);
			buf_csv_cell(&b, "file", 0);
			buf_csv_cell(&b, f->name, 0);
			buf_csv_cell(&b, f->what, 0);
			snprintf(n, sizeof n, "%llu", f->size);
			buf_csv_cell(&b, n, 0);
			buf_csv_cell(&b, fp, 0);
			buf_csv_cell(&b, f->sha256, 0);
			buf_csv_cell(&b, NULL, 1);
		}
	}
	*len = b.len;
	out = buf_detach(&b);
	return out;
}
