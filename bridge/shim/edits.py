"""The manual's edits to existing LMS 1.11.17 files, as anchored insertions.

Each edit inserts one marked block right before or after an anchor: a piece of LMS's own text
that must occur exactly once in the file.  The block is fixed text, so applying is idempotent
(an already present block is left alone) and removing it restores the file byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK = "lmstv-shim"


class AnchorError(Exception):
    """An LMS file does not look like the one the edit was written for."""


@dataclass(frozen=True)
class Edit:
    """Insert ``body`` (wrapped in begin/end marker lines) next to ``anchor`` in ``path``."""

    path: str           # relative to the LMS root, '/' separated
    ident: str          # short name shown in messages and markers
    anchor: str
    body: str           # lines to insert, each ending with '\n'
    before: bool = True
    comment: tuple[str, str] = ("// ", "")

    @property
    def begin_line(self) -> str:
        open_, close = self.comment
        return f"{open_}{MARK} begin: {self.ident}{close}\n"

    @property
    def end_line(self) -> str:
        open_, close = self.comment
        return f"{open_}{MARK} end: {self.ident}{close}\n"

    @property
    def block(self) -> str:
        open_, close = self.comment
        return (f"{open_}{MARK} begin: {self.ident}{close}\n{self.body}"
                f"{open_}{MARK} end: {self.ident}{close}\n")

    def is_applied(self, text: str) -> bool:
        return self.block in text

    def check(self, text: str) -> None:
        """Raise AnchorError unless the anchor occurs exactly once."""
        count = text.count(self.anchor)
        first_line = self.anchor.strip().splitlines()[0].strip()
        if count == 0:
            raise AnchorError(
                f"{self.path}: the line the '{self.ident}' edit is anchored to was not found "
                f"({first_line!r}); this file differs from LMS 1.11.17's. Apply "
                f"php-shim/patches/lms-1.11.17.patch by hand, or restore the original file")
        if count > 1:
            raise AnchorError(
                f"{self.path}: the anchor of the '{self.ident}' edit ({first_line!r}) occurs "
                f"{count} times, so the place to edit is ambiguous; edit this file by hand "
                f"as php-shim/patches/lms-1.11.17.patch shows")

    def marked_span(self, text: str) -> tuple[int, int] | None:
        """Where this edit's marked block is, whatever its body; None if absent.

        AnchorError when its markers are there more than once or unpaired: which copy is ours
        cannot be told, and leaving one behind would leave LMS requiring removed files.
        """
        begins, ends = text.count(self.begin_line), text.count(self.end_line)
        if begins == 0 and ends == 0:
            return None
        start = text.find(self.begin_line)
        end = text.find(self.end_line, start)
        if begins != 1 or ends != 1 or end < 0:
            raise AnchorError(
                f"{self.path}: the lmstv block '{self.ident}' is there {begins} times (end "
                f"markers: {ends}), so it cannot be replaced or removed exactly; keep one "
                f"block between '{MARK} begin: {self.ident}' and '{MARK} end: {self.ident}' "
                f"(or none) by hand, then run the command again")
        return start, end + len(self.end_line)

    def apply(self, text: str) -> str:
        span = self.marked_span(text)
        if span is not None:
            # Ours already, possibly from an older release or edited by hand: refresh in place.
            return text[:span[0]] + self.block + text[span[1]:]
        self.check(text)
        new = self.block + self.anchor if self.before else self.anchor + self.block
        return text.replace(self.anchor, new, 1)

    def remove(self, text: str) -> str:
        """Take the block out again; AnchorError if it was changed after installation."""
        span = self.marked_span(text)
        if span is None:
            return text  # not installed here
        if text[span[0]:span[1]] == self.block:
            return text[:span[0]] + text[span[1]:]
        raise AnchorError(
            f"{self.path}: the lmstv block '{self.ident}' was changed after installation, so "
            f"it cannot be removed exactly; remove the lines between the '{MARK} begin: "
            f"{self.ident}' and '{MARK} end: {self.ident}' markers by hand (the original file "
            f"is kept in .lmstv-shim/backup/)")


PHP = ("// ", "")
SMARTY = ("{* ", " *}")

EDITS: tuple[Edit, ...] = (
    Edit(
        path="index.php", ident="bridge-client", before=False,
        anchor="$LMS->setPluginManager($plugin_manager);\n",
        body="require_once(LIB_DIR . DIRECTORY_SEPARATOR . 'LMSTV.class.php');\n"
             "$LMSTV = LMSTV::forLms($AUTH, $SESSION);\n",
        comment=PHP),
    Edit(
        path="lib/accesstable.php", ident="rights",
        anchor="$access['table'][249]['name']",
        body="$access['table'][40]['name']\t\t= 'TV — pełny dostęp';\n"
             "$access['table'][40]['allow_reg']\t= '^tv[a-z]*$';\n"
             "$access['table'][40]['privilege']\t= 'tv_full_access';\n"
             "$access['table'][41]['name']\t\t= 'TV — tylko odczyt';\n"
             "$access['table'][41]['allow_reg']\t= "
             "'^tv(customers|packageslist|stblist|subnetlist|billingevents|messages|quicksearch|reconcile)$';\n"
             "$access['table'][41]['privilege']\t= 'tv_read_only';\n\n",
        comment=PHP),
    Edit(
        path="lib/menu.php", ident="menu",
        anchor="// Adding Userpanel menu items\n",
        body="require_once(LIB_DIR . DIRECTORY_SEPARATOR . 'lmstv.menu.php');\n\n",
        comment=PHP),
    Edit(
        path="modules/customer.inc.php", ident="customer-tv", before=False,
        anchor="$SMARTY->assignByRef('eventlist', $eventlist);\n",
        body="require_once(MODULES_DIR . DIRECTORY_SEPARATOR . 'customer.tv.inc.php');\n",
        comment=PHP),
    Edit(
        path="templates/default/customer/customerinfo.html", ident="tv-boxes",
        anchor="\t<TR>\n\t\t<TD WIDTH=\"100%\">\n"
               "\t\t\t{include file=\"customer/customerdocuments.html\" limit=10}\n",
        body="\t<TR>\n\t\t<TD WIDTH=\"100%\">\n"
             "\t\t\t{include file=\"customer/customertvjamboxacountsbox.html\"}\n"
             "\t\t</TD>\n\t</TR>\n"
             "\t<TR>\n\t\t<TD WIDTH=\"100%\">\n"
             "\t\t\t{include file=\"customer/customertvmessages.html\"}\n"
             "\t\t</TD>\n\t</TR>\n",
        comment=SMARTY),
    Edit(
        # The original showed the TV accounts on the edit page too; its forms post to customerinfo.
        path="templates/default/customer/customeredit.html", ident="tv-boxes-edit",
        anchor="\t<TR>\n\t\t<TD style=\"width: 100%;\">\n"
               "\t\t\t{include file=\"customer/customerdocuments.html\" limit=10}\n",
        body="\t<TR>\n\t\t<TD style=\"width: 100%;\">\n"
             "\t\t\t{include file=\"customer/customertvjamboxacountsbox.html\"}\n"
             "\t\t</TD>\n\t</TR>\n",
        comment=SMARTY),
    Edit(
        path="templates/default/customer/customerinfobox.html", ident="tv-export",
        anchor="\t\t\t\t<A HREF=\"?m=rtsearch&id={$customerinfo.id}\">",
        body="\t\t\t\t{include file=\"customer/customertvinfobox.html\"}\n",
        comment=SMARTY),
    Edit(
        # "Eksport do SMS" on the edit page, among the box's own links as on the info page.  The
        # button sits inside LMS's edit form, so it names its own form (HTML5 form attribute),
        # which the next edit places after LMS's form: forms cannot nest.
        path="templates/default/customer/customereditbox.html", ident="tv-export-edit",
        anchor="\t\t\t<A href=\"javascript:document.customeredit.submit();\" accesskey=\"S\">",
        body="\t\t\t{include file=\"customer/customertvinfobox.html\"}\n",
        comment=SMARTY),
    Edit(
        path="templates/default/customer/customereditbox.html", ident="tv-exportform-edit",
        anchor="<SCRIPT type=\"text/javascript\">\n<!--\n"
               "document.forms['customeredit'].elements['customerdata[lastname]'].focus();\n",
        body="{include file=\"customer/customertvexportform.html\"}\n",
        comment=SMARTY),
    # Quick search bar: an "STB (MAC)" field after LMS's own fields, with LMS's AutoSuggest.
    # 1.11.17 has three copies of the bar: layout.html (most screens), layout-without-footer.html
    # and the older header.html.
    *(Edit(path=f"templates/default/{name}", ident="quicksearch-field", before=False,
           anchor="<input class=\"blend\" type=\"text\" id=\"documentinput\" "
                  "name=\"qsdocument\" value=\"\" size=\"15\" "
                  "{tip text=\"Enter document number and press Enter\"}>\n",
           body="\t\t\t{include file=\"tvquicksearchfield.html\"}\n",
           comment=SMARTY)
      for name in ("layout.html", "layout-without-footer.html", "header.html")),
    Edit(
        # Enter in that field posts LMS's quick search form; the STB search takes it from there.
        path="modules/quicksearch.php", ident="quicksearch-stb",
        anchor="$mode = '';\n",
        body="if (!empty($_POST['qsstb']))\n"
             "\trequire(MODULES_DIR . DIRECTORY_SEPARATOR . 'tvquicksearch.php');\n\n",
        comment=PHP),
    Edit(
        path="bin/lms-payments.php", ident="tv-lines",
        anchor="$DB->Destroy();\n\n?>",
        body="// TV charges imported from SGT go onto the invoices this run issued.\n"
             "require_once(LIB_DIR . DIRECTORY_SEPARATOR . 'lmstv.cli.php');\n"
             "lmstv_payments_attach(isset($fakedate) ? $fakedate : null, !empty($quiet));\n\n",
        comment=PHP),
)


def edits_for(path: str) -> list[Edit]:
    return [e for e in EDITS if e.path == path]


def leftover_markers(text: str) -> list[str]:
    """Idents of lmstv blocks still in ``text`` (e.g. of an edit a newer release dropped)."""
    return sorted(set(re.findall(rf"{MARK} (?:begin|end): ([\w.-]+)", text)))
