"""Browser helpers for the e2e tests: log in, open LMS screens, read what the operator sees."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e import lms11

LMSTV_FILES = re.compile(r"LMSTV\.class\.php|LMSTVPlugin\w*\.php|lmstv\.\w+\.php|"
                         r"modules/tv\w*\.php|customer\.tv\.inc\.php|"
                         r"file\.(tv|customertv)\w*\.html\.php")


def forget_session(browser) -> None:
    """Leave the page, then drop the cookies: a page still loading would otherwise send its
    background request (LMS 28's indicators) with no cookie after the drop, and LMS answers
    one with a new, logged-out session's cookie, which can land after the next login's."""
    browser.get("about:blank")
    # WebDriver's "delete all cookies" only reaches the current page's site (none here)
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.get_log("browser")  # the last test's console errors are not this one's


def login(browser, stack: lms11.LmsStack, user: str, query: str = "") -> str:
    """Log in through LMS's login form at `?query` and return the page's text: LMS's form
    posts back to the address it was shown at and then shows that page, as it does for an
    operator following a bookmark while logged out, so a test that goes on with one screen
    needs no main page first (an LMS 28 main page costs ~0.5 s of Chromium's CPU)."""
    forget_session(browser)
    browser.get(stack.url + ("?" + query if query else ""))
    browser.find_element(By.NAME, "loginform[login]").send_keys(user)
    pwd = browser.find_element(By.NAME, "loginform[pwd]")
    pwd.send_keys(lms11.PASSWORD)
    old = browser.find_element(By.TAG_NAME, "html")
    pwd.submit()
    wait_new_page(browser, old)
    # LMS 28's page sends a background request as it loads (?m=indicators&ajax=1, jQuery): the
    # test waits for it as an operator would, so no request of this page is still under way
    # when the next test drops the cookies (the other half of forget_session's guard against
    # LMS's login page coming back after a login, docs/testing.md).
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return !window.jQuery || window.jQuery.active === 0"))
    page = text(browser)
    assert f"E2E {user}" in page, f"{user} could not log in"
    return page


def open_module(browser, stack: lms11.LmsStack, query: str) -> str:
    browser.get(stack.url + "?" + query)
    return text(browser)


def text(browser) -> str:
    """The page's visible text, whitespace collapsed.

    The browser's own `innerText` (rendered text: no `display: none` or `visibility: hidden`
    content) rather than Selenium's `.text`, whose script walks every element computing its
    visibility: 0.1–0.3 s of the renderer's CPU per call on an LMS 28 page against 2 ms, the
    same text on every page compared (docs/testing.md), and tests read the page's text after
    nearly every step."""
    return " ".join(browser.execute_script("return document.body.innerText").split())


def broken_images(browser) -> list[str]:
    """The `src` of each image on the page that did not load (a file LMS's tree does not have:
    the operator sees a broken-image icon). The page has finished loading by then: WebDriver's
    `get` and a form's submit wait for the load event, which waits for the page's images."""
    return browser.execute_script(
        "return Array.from(document.images)"
        ".filter(i => i.complete && i.naturalWidth === 0).map(i => i.getAttribute('src'))")


# Console errors of LMS itself, not of the TV screens: current LMS links Google's fonts (no
# network here) and a stylesheet its tree does not ship, and its customer page's balance box
# sets the "New document" link's address on load even for a user without financial rights,
# who has no such link (customerbalancebox.html, new_doc_type_changed). No script of the
# shim's or the plugin's sets an `href`.
LMS_OWN_CONSOLE_ERRORS = ("https://fonts.googleapis.com/",
                          "/js/jquery-simple-combobox/css/jquery.scombobox.min.css",
                          "Uncaught TypeError: Cannot set properties of null (setting 'href')")


def console_errors(browser) -> list[str]:
    """The console's errors since the last call (a script error, a file that did not load), but
    LMS's own (`LMS_OWN_CONSOLE_ERRORS`): what the TV screens add to a page must add none."""
    return [e["message"] for e in browser.get_log("browser")
            if not any(own in e["message"] for own in LMS_OWN_CONSOLE_ERRORS)]


def cells(browser, rows: list) -> list[list[str]]:
    """Each row's cell texts (`innerText`, trimmed), for all the rows in one call instead of a
    WebDriver round trip and a visibility walk per cell (see `text`)."""
    return browser.execute_script(
        "return arguments[0].map(tr => Array.from(tr.cells, td => td.innerText.trim()))", rows)


def php_problems(stack: lms11.LmsStack, since: int = 0) -> list[str]:
    """Warnings, notices and errors the PHP log has about lmstv files (Smarty's own
    deprecations in compiled templates and LMS 1.11.17's PHP 8 warnings are not ours)."""
    if not stack.php_log.exists():
        return []
    lines = stack.php_log.read_text("utf-8", "replace").splitlines()[since:]
    return [ln for ln in lines if LMSTV_FILES.search(ln) and "PHP Deprecated" not in ln]


def log_length(stack: lms11.LmsStack) -> int:
    if not stack.php_log.exists():
        return 0
    return len(stack.php_log.read_text("utf-8", "replace").splitlines())


def tv_form(browser, tvaction: str, **match: str):
    """The TV form posting ``tvaction`` (and carrying the given hidden values), or None.

    Searched in the page by one script: reading each form's hidden fields through WebDriver
    (two calls a field, each running Selenium's attribute script in the page) took hundreds of
    calls on a customer page, for every form submitted."""
    return browser.execute_script("""
        const [action, match] = arguments;
        for (const form of document.forms) {
            const fields = {};
            for (const i of form.querySelectorAll('input[type=hidden]')) fields[i.name] = i.value;
            if (fields.tvaction === action
                    && Object.entries(match).every(([k, v]) => fields[k] === v))
                return form;
        }
        return null;""", tvaction, {k: str(v) for k, v in match.items()})


def submit_tv_form(browser, tvaction: str, fields: dict | None = None, **match: str) -> str:
    """Fill and submit a TV form as the operator would (confirm dialogs accepted)."""
    form = tv_form(browser, tvaction, **match)
    assert form is not None, f"no '{tvaction}' form on the page"
    for name, value in (fields or {}).items():
        browser.execute_script("arguments[0].elements[arguments[1]].value = arguments[2];",
                               form, name, value)
    old = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script("HTMLFormElement.prototype.submit.call(arguments[0]);", form)
    wait_new_page(browser, old)
    return text(browser)


def token(browser) -> str:
    found = browser.find_elements(By.CSS_SELECTOR, "input[name=lmstv_token]")
    return found[0].get_attribute("value") if found else ""


def post(browser, stack: lms11.LmsStack, query: str, data: dict[str, str]) -> str:
    """A POST from the logged-in browser (a hand-made form), as an attacker page would send it."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script("""
        const f = document.createElement('form');
        f.method = 'post'; f.action = arguments[0];
        for (const [k, v] of Object.entries(arguments[1])) {
            const i = document.createElement('input');
            i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
        }
        document.body.appendChild(f);
        HTMLFormElement.prototype.submit.call(f);""", stack.url + "?" + query, data)
    wait_new_page(browser, old)
    return text(browser)


def _is_gone(element) -> bool:
    """`staleness_of`, plus chromedriver's other answer for an element of a page being
    replaced right then ("Node with given id does not belong to the document")."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in (exc.msg or ""):
            return True
        raise
    return False


def wait_new_page(browser, old) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda _d: _is_gone(old))
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def refresh_cache(browser, stack: lms11.LmsStack) -> str:
    """'Odśwież dane' on the TV menu's cache screen: later screens read SMS afresh."""
    open_module(browser, stack, "m=tvcleancache")
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR,
                         "form[action='?m=tvcleancache'] [type=submit]").click()
    wait_new_page(browser, old)
    return text(browser)


def suggested_stb(browser, subscription_id: int | str) -> str:
    """Open the STB row of a subscription, type "00" and return the first MAC the suggestion
    list offers. The list is rebuilt by script as answers arrive, so the option is read inside
    the wait in one script call (a separately found element can go stale in between)."""
    sid = subscription_id
    browser.execute_script(f"document.getElementById('tvstb{sid}').style.display = 'table-row';")
    browser.find_element(By.CSS_SELECTOR, f"input[list=tvstbsug{sid}]").send_keys("00")
    return WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "var o = document.querySelector(arguments[0]); return o ? o.value : null;",
        f"#tvstbsug{sid} option"))
