/* Diagnostics: one catalogue of messages, one sink.
 *
 * Every message the program prints about its inputs is listed here, in
 * severity bands, with its format.  The man page's DIAGNOSTICS section
 * explains each one; tests/golden pins their exact wording.  Output is
 * GNU style, so that editors jump to it:
 *
 *     coursepack: path:line:col: error: message
 */
#ifndef COURSEPACK_DIAG_H
#define COURSEPACK_DIAG_H

enum diag_level {
	DL_WARNING,	/* suspicious; exit 0 unless --werror */
	DL_ERROR,	/* the inputs are wrong; exit 1 */
	DL_SYSERR,	/* the program cannot do its work; exit 3 */
};

/* X(code, level, format) */
#define DIAG_CATALOGUE(X) \
	/* warnings */ \
	X(W_NEED_UNMATCHED, DL_WARNING, "need '%s' matches no course tag in the library; tags a need can name: %s") \
	X(W_NEED_LIKE, DL_WARNING, "need '%s' matches no course tag in the library: did you mean '%s'?") \
	X(W_INCLUDE_CORE, DL_WARNING, "included course '%s' is a core course: every village gets it anyway") \
	X(W_NEED_NOT_BY_NEED, DL_WARNING, "need '%s' matches only courses of categories the recipe does not choose by need") \
	X(W_NO_MEMBERS, DL_WARNING, "village has no members") \
	X(W_ROSTER_COUNT, DL_WARNING, "roster lists %d %s members, the village profile '%s' says %d: correct the one that is out of date") \
	X(W_FIRST_NOT_CORE, DL_WARNING, "first lesson '%s' is not in a core course") \
	X(W_NO_CATEGORIES, DL_WARNING, "no categories.xml next to the course folder: category '%s' not checked") \
	X(W_UNLISTED_FILE, DL_WARNING, "'%s' is not a lesson of the course: list it in course.xml or remove it") \
	X(W_STRAY_STARS, DL_WARNING, "'**' shows as literal text: bold did not close; next to punctuation, put the punctuation outside the '**'") \
	X(W_HTML_BR, DL_WARNING, "raw HTML '<br>' is dropped: end the line with two spaces for a line break, or leave a blank line between paragraphs") \
	X(W_HTML_TABLE, DL_WARNING, "raw HTML '<%s>' is dropped with everything in it: write a pipe table, '| a | b |' rows under a '|---|---|' line") \
	X(W_HTML_BLOCK, DL_WARNING, "raw HTML '<%s>' is dropped with its text: write plain paragraphs, or start the lines with '> ' to set a notice apart") \
	X(W_HTML_IMG, DL_WARNING, "raw HTML '<img>' is dropped: write '![description](media/photo.jpg)'") \
	X(W_HTML_INLINE, DL_WARNING, "raw HTML '<%s>' is dropped, its text stays: write Markdown ('**bold**', '*italic*') or plain text") \
	X(W_INDENTED_CODE, DL_WARNING, "indented line shows as a code block, in fixed-width type that runs off a phone screen: remove the tab or spaces at the start of the line") \
	X(W_FULLWIDTH_MARK, DL_WARNING, "full-width '%s' at the start of a line shows as text: type '%s' instead") \
	X(W_TYPED_BULLET, DL_WARNING, "bullet '%s' typed as a character: the lines run together into one paragraph; start each item with '- '") \
	X(W_TAB_ROWS, DL_WARNING, "tab-separated rows run together into one paragraph: write a pipe table, '| a | b |' rows under a '|---|---|' line") \
	X(W_PATH_SPACE, DL_WARNING, "path '%s' has a space, so the %s shows as literal text and the file is not shipped: write it in angle brackets, '(<%s>)'") \
	X(W_LINK_LOCAL, DL_WARNING, "'%s' is a file on the computer the lesson was written on, not in the course folder: copy it into the course folder and link to it there") \
	X(W_REVIEW_CHANGED, DL_WARNING, "lesson '%s' changed since its review by '%s' on %s: review it again with 'coursepack review %s'") \
	X(W_REVIEW_NEVER, DL_WARNING, "lesson '%s' was never reviewed: review it with 'coursepack review %s'") \
	X(W_REVIEW_UNTRUSTED, DL_WARNING, "lesson '%s': its review by '%s' on %s does not count: %s") \
	X(W_UNUSED_FILE, DL_WARNING, "'%s' is used by no lesson and is not shipped: link it from a lesson, list it as an asset, or remove it") \
	X(W_MORE_FINDINGS, DL_WARNING, "%s more warnings about the lesson's text not shown") \
	X(W_NO_MANIFEST, DL_WARNING, "folder of the library holds no course.xml") \
	X(W_NOTHING, DL_WARNING, "no XML files of ours found here") \
	X(W_TOO_DEEP, DL_WARNING, "not searched: folders nest deeper than %d levels") \
	X(W_NOT_LISTED, DL_WARNING, "%s is not listed by '%s': checked on its own") \
	X(W_BUILT_SHORT, DL_WARNING, "village '%s' falls short of the recipe: built anyway (--allow-short)") \
	X(W_UNPACK_LEFT, DL_WARNING, "the previous copy could not be removed: '%s' is left behind, remove it by hand") \
	X(W_UNPACK_RESTORED, DL_WARNING, "missing after an interrupted --replace: the previous copy '%s' is put back first") \
	X(W_VERIFY_RENAMED, DL_WARNING, "file is named '%s' but was signed as '%s': is it another village's file?") \
	X(W_EXPORT_SPACE_UNKNOWN, DL_WARNING, "the file system does not say how much space is free: not checked; if the stick fills up, free some space and run export again, it resumes") \
	X(W_VERIFY_VILLAGE, DL_WARNING, "bundle is named '%s' but holds the package of %s, '%s.zip': is it another village's bundle?") \
	X(W_NO_ACTIVITY, DL_WARNING, "village names no practice activity, but the recipe has an activity course '%s'") \
	X(W_REVIEW_BY_MISSING, DL_WARNING, "%s lesson '%s/%s' has no review-by date: add review-by with the day (YYYY-MM-DD) by which what it teaches may be out of date") \
	X(W_REVIEW_BY_SEASON, DL_WARNING, "lesson '%s/%s' is to be reviewed by %s, before the season '%s' ends on %s: review it before then") \
	X(W_REVIEW_BY_PASSED, DL_WARNING, "lesson '%s/%s' was to be reviewed by %s, before the season '%s' starts on %s: review it and set a new review-by date") \
	X(W_REVIEW_BY_AS_OF, DL_WARNING, "lesson '%s/%s' is out of date on %s: it was to be reviewed by %s") \
	X(W_IMAGE_LARGE, DL_WARNING, "image '%s' is %d x %d px, %s (over %d px or %s): the phone edition shrinks it, but bundles carry it whole; shrink it to at most %d px on the long side to keep the bundle small") \
	X(W_RECEIPT_UNPARSABLE, DL_WARNING, "receipt cannot be read: %s; left out") \
	X(W_RECEIPT_CODE, DL_WARNING, "receipt with check code '%s' (name '%s') fits no phone edition of this township and season: a typing error, a cut-off copy, or another township's or season's file; left out: ask the member to send it again") \
	X(W_RECEIPT_VILLAGE, DL_WARNING, "receipt says village '%s' but comes from the phone edition of '%s'; left out") \
	X(W_RECEIPT_NAME, DL_WARNING, "'%s' is no member of village '%s' that the ledger knows; left out: import the village's roster first, or ask the member to send the receipt again with the name as the roster has it") \
	X(W_RECEIPT_NAMESAKE, DL_WARNING, "'%s' is the name of more than one member of village '%s' (%zu); left out: put their lessons on a sheet with their 编号 (id)") \
	X(W_RECEIPT_LESSON, DL_WARNING, "receipt lists lesson %d, but the phone edition of '%s' has %zu lessons; left out") \
	X(W_RECEIPT_MANY, DL_WARNING, "more than %d receipts: the rest is not read") \
	/* errors in the inputs: XML */ \
	X(E_XML_SYNTAX, DL_ERROR, "not well-formed: %s") \
	X(E_XML_DOCTYPE, DL_ERROR, "document type declarations are not allowed") \
	X(E_XML_UTF8, DL_ERROR, "not valid UTF-8") \
	X(E_XML_ENCODING, DL_ERROR, "encoding '%s' declared: files must be UTF-8") \
	X(E_XML_NUL, DL_ERROR, "file contains a NUL byte") \
	X(E_XML_ATTRS, DL_ERROR, "element has more than %d attributes") \
	X(E_XML_CHAR, DL_ERROR, "character not allowed in XML (a control character?)") \
	X(E_XML_TOO_MANY, DL_ERROR, "%d more schema errors not shown") \
	X(E_XML_TOO_LARGE, DL_ERROR, "file is larger than the %d KiB limit for XML files") \
	X(E_XML_ROOT, DL_ERROR, "unknown root element '%s': expected categories, course, recipe, township or village") \
	X(E_XML_NAMESPACE, DL_ERROR, "root element '%s' is in namespace '%s': our formats use none") \
	X(E_XML_VERSION, DL_ERROR, "unsupported %s format version '%s': this coursepack reads version 1") \
	X(E_XML_SCHEMA, DL_ERROR, "%s") \
	X(E_XML_WRONG_KIND, DL_ERROR, "'%s' is a %s file, expected a %s file") \
	/* errors in the inputs: course */ \
	X(E_DUP_COURSE, DL_ERROR, "duplicate course id '%s', also used at %s") \
	X(E_DUP_MODE, DL_ERROR, "mode '%s' listed twice") \
	X(E_UNKNOWN_CATEGORY, DL_ERROR, "unknown category '%s': not in %s") \
	X(E_COURSE_NAME, DL_ERROR, "a course manifest must be named course.xml") \
	X(E_COURSE_DIR, DL_ERROR, "course id '%s' differs from its folder name '%s'") \
	X(E_PATH_UNSAFE, DL_ERROR, "path '%s' must be a plain relative path: no '.' or '..' component, backslash, empty component or control character") \
	X(E_PATH_OUTSIDE, DL_ERROR, "'%s' leads outside the course folder") \
	X(E_FILE_MISSING, DL_ERROR, "'%s' does not exist") \
	X(E_FILE_KIND, DL_ERROR, "'%s' is not a regular file") \
	X(E_LESSON_TOO_LARGE, DL_ERROR, "lesson is %s KiB, over the %d KiB limit for Markdown files: split it into two lessons") \
	X(E_LESSON_UTF8, DL_ERROR, "not valid UTF-8") \
	X(E_LESSON_NUL, DL_ERROR, "lesson contains a NUL byte") \
	X(E_LESSON_NO_TITLE, DL_ERROR, "lesson '%s' has no title: add a title attribute or start the Markdown with '# title'") \
	X(E_LESSON_EMPTY, DL_ERROR, "lesson is empty") \
	X(E_LINK_MISSING, DL_ERROR, "'%s' does not exist in the course folder") \
	X(E_LINK_OUTSIDE, DL_ERROR, "'%s' points outside the course folder") \
	X(E_LINK_REMOTE_IMAGE, DL_ERROR, "image '%s' is not in the course folder: bundles must open without a network") \
	X(E_PATH_CASE, DL_ERROR, "'%s' does not exist, but '%s' does: names are case-sensitive here, write it as it is on disk") \
	X(E_PATH_ACCENTS, DL_ERROR, "'%s' does not exist, but '%s' does, with its accents encoded another way (composed or decomposed): retype the name in the lesson, or rename the file") \
	X(E_LINK_BACKSLASH, DL_ERROR, "'%s' has backslashes, which only Windows reads as folder separators: write '%s'") \
	X(E_IMAGE_LOCAL, DL_ERROR, "image '%s' is a file on the computer the lesson was written on, not in the course folder: copy it into the course folder (into media/) and link to it there") \
	X(E_IMAGE_NO_ALT, DL_ERROR, "image '%s' has no alt text") \
	X(E_IMAGE_NO_SRC, DL_ERROR, "image has no source") \
	X(E_IMAGE_UNREADABLE, DL_ERROR, "image '%s' cannot be read: %s") \
	X(E_DUP_SRC, DL_ERROR, "lesson file '%s' is also used by lesson '%s'") \
	X(E_DATE_INVALID, DL_ERROR, "%s '%s' is not a day of the calendar: write a real date as YYYY-MM-DD") \
	/* errors in the inputs: recipe, village, township */ \
	X(E_NO_COURSE, DL_ERROR, "no course '%s' in the library") \
	X(E_NO_LESSON, DL_ERROR, "no lesson '%s' in the library") \
	X(E_NO_CATEGORY, DL_ERROR, "no category '%s' in the library") \
	X(E_CATEGORY_UNLISTED, DL_ERROR, "%s '%s' is in category '%s', which the recipe does not list") \
	X(E_BY_NEED_UNLISTED, DL_ERROR, "category '%s' is chosen by need but the recipe does not list it") \
	X(E_DUP_CORE, DL_ERROR, "course '%s' is listed twice") \
	X(E_INCLUDE_EXCLUDE, DL_ERROR, "course '%s' is both included and excluded: keep one") \
	X(E_EXCLUDE_FIRST, DL_ERROR, "course '%s' holds the recipe's first lesson '%s' and cannot be excluded") \
	X(E_ACTIVITY_COURSE, DL_ERROR, "activity '%s' is not a lesson of the recipe's activity course '%s'") \
	X(E_ACTIVITY_NONE, DL_ERROR, "village names activity '%s', but the recipe has no activity course") \
	X(E_WRONG_TOWNSHIP, DL_ERROR, "village belongs to township '%s', but is listed by township '%s'") \
	X(E_DUP_VILLAGE, DL_ERROR, "duplicate village id '%s', also used at %s") \
	X(E_DUP_VILLAGE_FILE, DL_ERROR, "village file '%s' is listed twice") \
	X(E_RECIPE_UNREACHABLE, DL_ERROR, "%s needs %s h, but the courses the recipe can choose hold at most %s h") \
	X(E_NO_TOWNSHIP, DL_ERROR, "no township.xml beside the village file or in the folder above") \
	X(E_NOT_TOWNSHIP, DL_ERROR, "'%s' is neither a township nor a village file") \
	X(E_VILLAGE_UNLISTED, DL_ERROR, "village '%s' is not listed by the township") \
	X(E_SEASON_ORDER, DL_ERROR, "season starts on %s, after it ends on %s: correct start or end") \
	X(E_REVIEW_BY_PASSED, DL_ERROR, "lesson '%s/%s' was to be reviewed by %s, before the season '%s' starts on %s: review it and set a new review-by date (--require-review)") \
	/* errors in the inputs: rosters */ \
	X(E_ROSTER_MISSING, DL_ERROR, "roster '%s' named by the village cannot be opened: %s") \
	X(E_ROSTER_TWO, DL_ERROR, "village '%s' has two rosters, this one and '%s': keep one") \
	X(E_ROSTER_KIND, DL_ERROR, "roster is neither a .csv nor an .xlsx file: save it from the spreadsheet as 'CSV UTF-8' or as an Excel workbook (.xlsx)") \
	X(E_TABLE_XLS, DL_ERROR, "file is an old binary Excel file (.xls), which is not read: open it in Excel or WPS and save it with 另存为 as 'Excel 工作簿 (*.xlsx)' or 'CSV UTF-8'") \
	X(E_TABLE_TOO_LARGE, DL_ERROR, "file is larger than %s") \
	X(E_TABLE_ROWS, DL_ERROR, "file has more than %zu rows: the rest is not read") \
	X(E_TABLE_CELL, DL_ERROR, "cell longer than %zu bytes") \
	X(E_TABLE_ENCODING, DL_ERROR, "file is neither UTF-8 nor GB18030 text (the first bad byte is on this line): save it from the spreadsheet as 'CSV UTF-8'") \
	X(E_TABLE_QUOTE, DL_ERROR, "quoted cell starting here is never closed: its closing quote mark is missing") \
	X(E_TABLE_AFTER_QUOTE, DL_ERROR, "text after the closing quote mark of a quoted cell: write a quote mark inside a cell as two") \
	X(E_TABLE_XLSX, DL_ERROR, "not a workbook that can be read: %s; save it again from the spreadsheet as .xlsx or 'CSV UTF-8'") \
	X(E_TABLE_XLSX_STRING, DL_ERROR, "cell refers to shared string '%s', but the workbook has %zu") \
	X(E_ROSTER_EMPTY, DL_ERROR, "roster has no header row") \
	X(E_ROSTER_COLUMN, DL_ERROR, "roster has no column '%s'; headers found: %s") \
	X(E_ROSTER_NO_NAME, DL_ERROR, "member has no name (姓名)") \
	X(E_ROSTER_GROUP, DL_ERROR, "group '%s' is none of 在村, 居家, 流动 (resident, homebound, mobile)") \
	X(E_ROSTER_SAME_NAME, DL_ERROR, "member '%s' has the same name as the member on line %d: give both distinct ids (编号)") \
	X(E_ROSTER_SAME_ID, DL_ERROR, "id '%s' is also the id of the member on line %d") \
	X(E_BUNDLE_LIMIT, DL_ERROR, "bundle of '%s' would hold %zu files, %s in all; verify accepts at most %u files and %s") \
	X(E_BUNDLE_RATIO, DL_ERROR, "'%s' in '%s' would deflate %llu to 1; verify accepts at most %u to 1: compress it (zip, gz) first") \
	X(E_IMAGE_BAD, DL_ERROR, "image '%s' cannot be used: %s") \
	X(E_PHONE_BUDGET, DL_ERROR, "phone edition of '%s' is %s, over the %s budget, and is not written (the bundle and the other editions are); largest: %s: shrink those or raise --phone-budget") \
	X(E_PDF_FAILED, DL_ERROR, "cannot print the booklet of '%s' to PDF with '%s'") \
	X(E_PDF_PAGE_FAILED, DL_ERROR, "cannot print '%s' to PDF with '%s'") \
	X(E_PDF_NO_BROWSER, DL_ERROR, "--pdf needs a headless Chromium: install Debian's 'chromium' package") \
	X(E_SIG_KEY, DL_ERROR, "%s") \
	X(E_SIG_MISSING, DL_ERROR, "no signature: '%s' does not exist") \
	X(E_SIG_BAD, DL_ERROR, "signature '%s': %s") \
	X(E_SIG_OTHER_KEY, DL_ERROR, "signature '%s' was made by key %s, not by the given key %s") \
	X(E_UNPACK_EXISTS, DL_ERROR, "already exists: unpack writes a new folder only") \
	X(E_UNPACK_NOT_BUNDLE, DL_ERROR, "holds no manifest.xml: --replace replaces only a folder that unpack made") \
	X(E_UNPACK_NOT_DIR, DL_ERROR, "is not a folder: --replace replaces only a folder that unpack made") \
	X(E_SIG_FILE, DL_ERROR, "not a minisign key or signature: %s") \
	X(E_FILE_CHANGED, DL_ERROR, "'%s' changed while the build read it: build again") \
	X(E_VILLAGE_FAILED, DL_ERROR, "village '%s' was not built: see the errors above") \
	X(E_REVIEW_CHANGED, DL_ERROR, "lesson '%s' changed since its review by '%s' on %s: review it again with 'coursepack review %s'") \
	X(E_REVIEW_NEVER, DL_ERROR, "lesson '%s' was never reviewed: review it with 'coursepack review %s'") \
	X(E_REVIEW_UNTRUSTED, DL_ERROR, "lesson '%s': its review by '%s' on %s does not count: %s") \
	X(E_REVIEW_FORGED, DL_ERROR, "review of lesson '%s' by '%s' does not verify (altered after signing, or forged): %s") \
	X(E_REVIEW_DATE, DL_ERROR, "review date '%s' is not a real date: write YYYY-MM-DD") \
	X(E_REVIEW_COURSE, DL_ERROR, "reviews of course '%s' in the folder of course '%s': move the file to its course") \
	X(E_REVIEW_NOT_LESSON, DL_ERROR, "'%s' is not a lesson of this course: give a lesson's .md as course.xml lists it, or the course folder") \
	X(E_REVIEW_FULL, DL_ERROR, "file would hold more than %d reviews: move the older ones out (version control keeps them) and review again") \
	X(E_REVIEW_LESSON, DL_ERROR, "lesson '%s' cannot be reviewed: its Markdown cannot be read; run 'coursepack check' to see why") \
	X(E_BUILD_SHORT, DL_ERROR, "village '%s' falls short of the recipe and is not built: see 'coursepack plan'; --allow-short builds it anyway") \
	X(E_NO_LIBRARY, DL_ERROR, "'%s' is not a course library: it has no categories.xml") \
	X(E_SHARD_NONE, DL_ERROR, "'%s' holds no shard record (shard-I-of-N.xml): build shards with --shard I/N") \
	X(E_SHARD_BAD, DL_ERROR, "shard record has values out of range or editions missing") \
	X(E_SHARD_MIXED, DL_ERROR, "shard of township '%s' split %zu ways does not go with the first one, of township '%s' split %zu ways") \
	X(E_SHARD_DIFFERENT, DL_ERROR, "shard was built from a different township, recipe or library than the first one") \
	X(E_SHARD_TWICE, DL_ERROR, "shard %zu of %zu is given twice") \
	X(E_SHARD_PARTIAL, DL_ERROR, "shard %zu of %zu built %zu of its %zu villages: build it again") \
	X(E_SHARD_MISSING, DL_ERROR, "shard %zu of %zu is missing: give the folders of all %zu shards") \
	X(E_SHARD_FILE, DL_ERROR, "'%s' does not match its size and SHA-256 in the shard record") \
	X(E_SHARD_LOST, DL_ERROR, "'%s' is in the shard record but not in the shard's folder") \
	/* errors in the inputs: the class-hour ledger */ \
	X(E_LEDGER_NONE, DL_ERROR, "no ledger here yet: 'coursepack ledger import' makes one, or give --ledger FILE") \
	X(E_LEDGER_NOT_SQLITE, DL_ERROR, "not a ledger, or a damaged one: %s; nothing was changed") \
	X(E_LEDGER_NEWER, DL_ERROR, "ledger is of version %d, newer than the version %d this coursepack knows: use a newer coursepack; nothing was changed") \
	X(E_LEDGER_READONLY, DL_ERROR, "ledger is read-only: nothing was changed; make it writable (chmod u+w) first") \
	X(E_LEDGER_REMOTE, DL_ERROR, "ledger is on a %s file system, where SQLite cannot lock it safely (WAL does not work there): keep it on a local disk, or give --force") \
	X(E_LEDGER_BUSY, DL_ERROR, "ledger is busy: another coursepack is writing to it; try again when it is done") \
	X(E_LEDGER_KIND, DL_ERROR, "not a file the ledger can import: a roster has the columns 姓名 (name) and 类别 (group), an attendance sheet 村 (village), 姓名 (name) and lesson ids, and a chat export receipts starting with 【学习回执】") \
	X(E_LEDGER_CONFLICT, DL_ERROR, "record %s is already in the ledger with other content: the ledger keeps its own; nothing was imported") \
	X(E_LEDGER_RECORD_ID, DL_ERROR, "'%s' is not a record id: give at least 8 of its hex digits, as 'ledger log' shows them") \
	X(E_LEDGER_NO_RECORD, DL_ERROR, "no record '%s' in the ledger") \
	X(E_LEDGER_AMBIGUOUS, DL_ERROR, "record id '%s' fits more than one record: give more digits") \
	X(E_LEDGER_VOID_VOID, DL_ERROR, "record '%s' is itself a void: a void cannot be voided") \
	X(E_LEDGER_VOIDED, DL_ERROR, "record %s is already voided, for '%s': a record is voided once") \
	X(E_LEDGER_DAMAGED, DL_ERROR, "SQLite finds the ledger damaged: %s") \
	X(E_LEDGER_RULE_FK, DL_ERROR, "ledger rule broken: a row of '%s' (rowid %s) points to nothing") \
	X(E_LEDGER_RULE_HASH, DL_ERROR, "ledger rule broken: record %s does not hash to its identity: it was edited in place") \
	X(E_LEDGER_RULE_VOID, DL_ERROR, "ledger rule broken: void %s reverses '%s', which is no record or is a void") \
	X(E_LEDGER_RULE_TWICE, DL_ERROR, "ledger rule broken: record %s is voided %s times") \
	X(E_LEDGER_RULE_FIELDS, DL_ERROR, "ledger rule broken: record %s, a %s, lacks its fields or has a reason not in the list") \
	X(E_SHEET_COLUMNS, DL_ERROR, "header has %zu columns, over the limit of %d") \
	X(E_SHEET_HEADER, DL_ERROR, "header has no %s column") \
	X(E_SHEET_COLUMN_TWICE, DL_ERROR, "column '%s' appears twice in the header") \
	X(E_SHEET_LESSON, DL_ERROR, "column '%s' is no lesson of the library: head lesson columns with full ids, 'course/lesson'") \
	X(E_SHEET_WIDE, DL_ERROR, "row has %zu fields, the header %zu") \
	X(E_SHEET_CHANNEL, DL_ERROR, "channel '%s' is not one of 课堂, 居家, 线上 (class, home, online)") \
	X(E_SHEET_GROUP, DL_ERROR, "group '%s' is not one of 在村, 居家, 流动 (resident, homebound, mobile)") \
	X(E_SHEET_NO_NAME, DL_ERROR, "row has no name: fill in 姓名, or delete the row") \
	X(E_SHEET_VILLAGE, DL_ERROR, "no village '%s' in the township: write the village id as township.xml lists it") \
	X(E_SHEET_MEMBER_TWICE, DL_ERROR, "member '%s' of village '%s' has a second row, the first at %s:%d: give members of one name each their own 编号 (id)") \
	X(E_SHEET_MEMBER_NAME, DL_ERROR, "member '%s' of village '%s' is '%s' in the ledger but '%s' here: correct the sheet or the 编号 (id)") \
	X(E_SHEET_CELL, DL_ERROR, "'%s' under '%s' is neither a date (2026-12-06) nor a tick (✓)") \
	X(E_SHEET_NOT_PLANNED, DL_ERROR, "lesson '%s' is not in the plan of village '%s': see 'coursepack plan'") \
	X(E_SHEET_NOT_ON_ROSTER, DL_ERROR, "'%s' is not on the roster of village '%s' in the ledger: correct the name, or import the village's new roster first") \
	X(E_SHEET_NAME_AMBIGUOUS, DL_ERROR, "'%s' is the name of more than one member of village '%s' (%zu): add a 编号 (id) column and fill it in for them") \
	X(E_LEDGER_ROSTER_VILLAGE, DL_ERROR, "cannot tell which village this roster is for: name the file after the village id (rosters/ID.csv), or name it in the village profile's roster attribute") \
	X(E_RECEIPT_TOO_LARGE, DL_ERROR, "chat text is larger than %s: import it in parts") \
	X(E_RECEIPT_STRICT, DL_ERROR, "%zu receipts left out, which --strict makes an error") \
	/* errors in bundles */ \
	X(E_ZIP_BAD, DL_ERROR, "not a readable zip archive: %s") \
	X(E_ZIP_LAYOUT, DL_ERROR, "not a safe zip archive: %s") \
	X(E_ZIP_LIMIT, DL_ERROR, "archive exceeds the limit on %s (%llu)") \
	X(E_ZIP_ENTRY_LIMIT, DL_ERROR, "entry '%s' exceeds the limit on %s (%llu)") \
	X(E_ZIP_METHOD, DL_ERROR, "entry '%s' is encrypted or compressed with an unsupported method") \
	X(E_ZIP_ENTRY_BAD, DL_ERROR, "entry '%s' cannot be read: %s") \
	X(E_ZIP_CRC, DL_ERROR, "entry '%s' does not match its CRC-32: its data is damaged") \
	X(E_ZIP_HEADER, DL_ERROR, "entry '%s' is not safe to unpack: %s") \
	X(E_ZIP64, DL_ERROR, "archive has a ZIP64 end of central directory: ZIP64 is not supported; zip the files again without it") \
	X(E_ZIP64_ENTRY, DL_ERROR, "entry '%s' has ZIP64 fields: ZIP64 is not supported; zip the files again without it") \
	X(E_VERIFY_NO_MANIFEST, DL_ERROR, "the first entry is not manifest.xml") \
	X(E_VERIFY_NAME, DL_ERROR, "entry '%s' has an unsafe name") \
	X(E_VERIFY_SPECIAL, DL_ERROR, "entry '%s' is a symbolic link or other special file") \
	X(E_VERIFY_CASE, DL_ERROR, "entries '%s' and '%s' differ only in case") \
	X(E_VERIFY_MODE, DL_ERROR, "entry '%s' has file mode %s: only plain files and folders, permissions within 0777, are accepted") \
	X(E_VERIFY_SAME_NAME, DL_ERROR, "entries '%s' and '%s' differ only in Unicode case or normalization: they are one file on Windows and macOS") \
	X(E_VERIFY_FILE_FOLDER, DL_ERROR, "entry '%s' is a file, and also the folder of '%s'") \
	X(E_VERIFY_PAGE_SIZE, DL_ERROR, "page '%s' is larger than %u MiB: its links are not checked") \
	X(E_VERIFY_UNLISTED, DL_ERROR, "'%s' is not listed in the manifest") \
	X(E_VERIFY_MISSING, DL_ERROR, "'%s' is listed in the manifest but missing") \
	X(E_VERIFY_SIZE, DL_ERROR, "'%s' has %llu bytes, the manifest says %llu") \
	X(E_VERIFY_HASH, DL_ERROR, "'%s' does not match its SHA-256 in the manifest") \
	X(E_VERIFY_LINK, DL_ERROR, "page '%s' links to '%s', which is not in the bundle") \
	X(E_VERIFY_UNCHECKED, DL_ERROR, "nothing to check it against: give --pubkey, or keep the township's SHA256SUMS beside it") \
	X(E_VERIFY_EPUB, DL_ERROR, "not an EPUB: the first entry is not an uncompressed 'mimetype' holding 'application/epub+zip'") \
	X(E_SUMS_LINE, DL_ERROR, "not a line of SHA256SUMS: expected 64 hex digits, two spaces and a file name without '/'") \
	X(E_SUMS_MISSING, DL_ERROR, "'%s' is listed but is not beside SHA256SUMS") \
	X(E_SUMS_HASH, DL_ERROR, "'%s' does not match its SHA-256 in SHA256SUMS: damaged or changed") \
	X(E_SUMS_UNLISTED, DL_ERROR, "'%s' is not listed in '%s'") \
	X(E_DIFF_NO_BUNDLES, DL_ERROR, "folder holds no bundles (*.zip, or TOWNSHIP/*.zip): give two build folders or two bundles") \
	X(E_EXPORT_NO_SUMS, DL_ERROR, "holds no SHA256SUMS: give the folder 'coursepack build' wrote the bundles to") \
	X(E_EXPORT_NOTHING, DL_ERROR, "lists no bundle: nothing to export") \
	X(E_EXPORT_VILLAGE, DL_ERROR, "no bundle of village '%s' is listed here: check the village id ('coursepack plan' shows them)") \
	X(E_EXPORT_DEST, DL_ERROR, "destination is not a folder") \
	X(E_EXPORT_NAME_CHAR, DL_ERROR, "name '%s' has '%s', which Windows does not allow in a file name: rename the file") \
	X(E_EXPORT_NAME_END, DL_ERROR, "name '%s' ends in a dot or a space, which Windows drops: rename the file") \
	X(E_EXPORT_NAME_RESERVED, DL_ERROR, "name '%s' is a device name on Windows (CON, PRN, AUX, NUL, COM1...): rename the file") \
	X(E_EXPORT_NAME_LONG, DL_ERROR, "name '%s' is %zu UTF-16 characters long, over the %d export allows: rename the file") \
	X(E_EXPORT_PATH_LONG, DL_ERROR, "path is %zu characters long on Windows, over its limit of %d: export into a folder nearer the stick's root") \
	X(E_EXPORT_CASE, DL_ERROR, "names '%s' and '%s' differ only in case: they are one file on Windows; rename one") \
	X(E_EXPORT_TOO_LARGE, DL_ERROR, "'%s' is %s, over the 4 GiB less one byte a file can have on FAT32: format the stick as exFAT or NTFS (or give --fs if it is one)") \
	X(E_EXPORT_CHANGED, DL_ERROR, "file changed after it was checked: run export again") \
	X(E_EXPORT_READBACK, DL_ERROR, "read back from the destination, the file does not match what was copied; removed: the stick may be failing, run export again or use another stick") \
	/* errors in update patches (delta, apply) */ \
	X(E_DELTA_NOT_PATCH, DL_ERROR, "not an update patch: it was not made by 'coursepack delta' (version 1)") \
	X(E_DELTA_DAMAGED, DL_ERROR, "patch is damaged or cut short: its checksum does not match; copy it again") \
	X(E_DELTA_WRONG_OLD, DL_ERROR, "not the bundle this patch was made for: the patch expects SHA-256 %s, this file has %s; apply it to the village's previous bundle") \
	X(E_DELTA_BAD, DL_ERROR, "patch does not fit its old bundle at byte %llu: altered, or made by another program") \
	X(E_DELTA_RESULT, DL_ERROR, "result has SHA-256 %s, the patch expects %s: nothing was written (was the patch made with another zlib?)") \
	X(E_DELTA_TOO_LARGE, DL_ERROR, "larger than the %s limit for bundles and patches") \
	/* the program cannot go on */ \
	X(S_OPEN, DL_SYSERR, "cannot open '%s': %s") \
	X(S_READ, DL_SYSERR, "cannot read '%s': %s") \
	X(S_WRITE, DL_SYSERR, "cannot write '%s': %s") \
	X(S_EXPORT_SPACE, DL_SYSERR, "not enough free space: the export needs %s, %s is free; %s is missing: free some space or use a larger stick") \
	X(S_DELTA_SELFCHECK, DL_SYSERR, "the patch made does not rebuild '%s' byte for byte: not written (a bug: please report it)") \
	X(S_LEDGER_IO, DL_SYSERR, "cannot write to the ledger: %s; nothing was changed (a full disk? free some space and import again)") \
	X(S_SCHEMA, DL_SYSERR, "cannot compile the built-in schema '%s'")

enum diag_code {
#define X(code, level, fmt) code,
	DIAG_CATALOGUE(X)
#undef X
	DIAG__COUNT
};

/* Where a message points.  line 0: the whole file; col 0: the whole line. */
struct loc {
	const char *path;
	int line;
	int col;
};

/* Prints one message for `code` at `loc` (NULL: no location) with the
 * arguments its catalogue format takes, and counts it. */
void diag(enum diag_code code, const struct loc *loc, ...);

/* The compiler checks every diag() call's arguments against its
 * catalogue format: the build makes diagfmt.h, a DIAGFMT_<code> macro
 * holding each format (Makefile), and the macro below hands that literal
 * to a printf-checked function that is never called.  A call whose code
 * is not a plain name, (diag)(code, ...), goes unchecked. */
static inline void __attribute__((format(printf, 1, 3)))
diag_check_fmt(const char *fmt, const struct loc *loc, ...)
{
	(void)fmt;
	(void)loc;
}
#if defined(__has_include)
#if __has_include("diagfmt.h")
#include "diagfmt.h"
#define diag(code, ...) ((void)(0 && (diag_check_fmt(DIAGFMT_##code, __VA_ARGS__), 1)), diag(code, __VA_ARGS__))
#endif
#endif

/* Counting: diag_werror makes warnings count as errors.  diag_exit is the
 * exit status the messages so far call for: 0, 1, or 3. */
/* Sends each message line (ending in a newline) to fn instead of stderr;
 * NULL restores stderr.  coursepack serve shows them on its pages. */
void diag_set_sink(void (*fn)(void *, const char *line), void *arg);
void diag_werror(int on);
void diag_reset(void);
int diag_count(enum diag_level level);
int diag_exit(void);

/* Usage errors: "coursepack: message" and exit 2 is the caller's job. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
