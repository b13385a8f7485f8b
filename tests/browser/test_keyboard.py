"""The main journeys with the keyboard alone: Tab, Shift+Tab, Enter, Space and
the arrow keys in radio groups, never the mouse.

Every stop of the focus is checked (WCAG 2.2, 2.4.7, 2.4.11 and the size and
contrast of 2.4.13): something visible has the focus, its indicator is an
outline of at least 2 CSS px whose colours reach 3:1 against the page behind
it, and nothing fixed or sticky covers it.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import SmartCard
from activation.models import ActivationRequest
from residency.constants import ApplicationStatus
from residency.models import Application
from tests.browser.test_residency_flow import (  # noqa: F401 (fixture)
    photo_jpeg,
    private_files,
    read_code_from_sandbox,
    residency_reference_data,
    scan_pdf,
)
from tests.residency.factories import PaymentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.accessibility,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = DEMO_PASSWORD

FOCUS_STATE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  let background = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour && !colour.startsWith('rgba(0, 0, 0, 0)') && colour !== 'transparent') {
      background = colour;
      break;
    }
  }
  const covered = [...document.querySelectorAll('body *')].some((other) => {
    const position = getComputedStyle(other).position;
    if (!['fixed', 'sticky'].includes(position) || other.contains(el)) return false;
    const box = other.getBoundingClientRect();
    if (!box.width || !box.height) return false;
    return box.top < rect.bottom && box.bottom > rect.top
      && box.left < rect.right && box.right > rect.left;
  });
  const label = (el.labels && el.labels[0] && el.labels[0].innerText)
    || el.getAttribute('aria-label') || el.innerText || el.value || '';
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || '',
    name: label.trim().replace(/\\s+/g, ' '),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    background,
    visible: rect.width > 0 && rect.height > 0,
    inView: rect.top >= 0 && rect.bottom <= innerHeight + 1,
    covered,
  };
}
"""


def _rgb(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", text)[:3])


def _luminance(rgb) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(_rgb(first)), _luminance(_rgb(second))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_focus_visible(state) -> None:
    assert state is not None, "The focus was lost (nothing focused)"
    where = f"{state['tag']} '{state['name']}'"
    assert state["visible"], f"{where} has the focus but is not visible"
    assert state["outlineStyle"] != "none", f"{where}: no focus outline"
    assert state["outlineWidth"] >= 2, f"{where}: focus outline thinner than 2px"
    ring = [state["outlineColor"]]
    if state["boxShadow"] != "none":
        ring.append(state["boxShadow"])
    best = max(contrast(colour, state["background"]) for colour in ring)
    assert best >= 3, f"{where}: focus indicator contrast {best:.1f}:1 is below 3:1"
    assert not state["covered"], f"{where} is hidden behind a fixed or sticky element"


def focus_state(page):
    state = page.evaluate(FOCUS_STATE)
    assert_focus_visible(state)
    assert state["inView"], f"{state['tag']} '{state['name']}' is off screen"
    return state


def tab_to(page, name, *, backwards=False, limit=80):
    """Press Tab (or Shift+Tab) until the control named ``name`` has the focus."""
    pattern = re.compile(name) if isinstance(name, str) else name
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = focus_state(page)
        seen.append(state["name"])
        if pattern.search(state["name"]):
            return state
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen}")


def choose_file(page, file: dict) -> None:
    """Space on the focused file input opens the file chooser. Headless Chromium
    now and then never reports the chooser of a press (seen in CI, not seen
    again in the runs after); a lost press is pressed again, so the journey
    still proves the input is reached and opened by keyboard."""
    for _ in range(3):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        chooser.value.set_files(file)
        return
    raise AssertionError("Space on the file input never opened the file chooser")


def submit(page, key="Enter"):
    """Press a key that loads another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)


def activate(page, name, *, key="Enter", backwards=False):
    tab_to(page, name, backwards=backwards)
    if key == "Enter":
        submit(page)
    else:
        page.keyboard.press(key)


def type_into(page, name, text):
    tab_to(page, name)
    page.keyboard.type(text)


@pytest.fixture
def seeded(settings, private_files):  # noqa: F811
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())
    residency_reference_data()


def sign_in_by_keyboard(page, base, qid):
    page.goto(f"{base}/en/")
    activate(page, r"^Sign in$")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    type_into(page, r"^Qatar ID number", qid)
    type_into(page, r"^Password", PASSWORD)
    submit(page)
    # Signing in lands on the person's dashboard.
    expect(page.get_by_role("heading", name=re.compile(r"^Welcome, "))).to_be_visible()


def test_skip_link_is_the_first_stop_and_moves_to_the_main_content(page, live_server, seeded):
    page.goto(f"{live_server.url}/en/")
    page.keyboard.press("Tab")
    assert focus_state(page)["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_seed_flow_sign_in_confirm_code_and_activate_by_keyboard(page, live_server, seeded):
    base = live_server.url
    sign_in_by_keyboard(page, base, "28563400001")
    activate(page, r"^Activate e-services$")  # on the dashboard
    expect(page.get_by_role("heading", name="Activate e-services")).to_be_visible()
    activate(page, r"^Activate e-services$")  # on the card

    expect(page.get_by_label("Verification code")).to_be_visible()
    activate(page, r"^Send code$")  # opening the page texts nothing
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()
    code = read_code_from_sandbox(page, base, "+97455100001")
    type_into(page, r"^Verification code", code)
    submit(page)

    expect(page.get_by_role("heading", name="Choose e-services")).to_be_visible()
    activate(page, r"^E-payment$", key="Space")
    activate(page, r"^Electronic documents$", key="Space")
    # Back and forth: Shift+Tab returns to the first choice, which stays ticked.
    tab_to(page, r"^E-payment$", backwards=True)
    expect(page.get_by_role("checkbox", name="E-payment")).to_be_checked()
    activate(page, r"^Continue$")

    expect(page.get_by_role("heading", name="Review and confirm")).to_be_visible()
    activate(page, r"^Confirm")
    expect(page.get_by_role("heading", name="Request complete")).to_be_visible()
    assert ActivationRequest.objects.filter(person__qid="28563400001").count() == 1


def test_registration_by_keyboard(page, live_server, seeded):
    base = live_server.url
    expiry = SmartCard.objects.get(person__qid="29163400009").expires_on
    page.goto(f"{base}/en/accounts/sign-in/")
    activate(page, r"Register online")
    type_into(page, r"^Qatar ID number", "29163400009")
    type_into(page, r"^Card expiry date", expiry.strftime("%m%d%Y"))
    activate(page, r"^Send")

    expect(page.get_by_label("Verification code")).to_be_visible()
    type_into(page, r"^Verification code", read_code_from_sandbox(page, base, "+97455100009"))
    submit(page)

    type_into(page, r"^New password", "a quiet walk along the corniche")
    type_into(page, r"^New password confirmation", "a quiet walk along the corniche")
    activate(page, r"^Create account$")
    expect(page.get_by_text("Your account is ready")).to_be_visible()


def test_residency_application_by_keyboard(page, live_server, seeded):
    base = live_server.url
    sign_in_by_keyboard(page, base, "27535600008")
    activate(page, r"^Residency$")  # in the header's navigation
    activate(page, r"^Apply for permanent residency$")

    expect(page.get_by_role("heading", name=re.compile("Personal data"))).to_be_visible()
    activate(page, r"^Save and continue$")

    # A radio group is one Tab stop; the arrow keys choose within it.
    expect(page.get_by_role("heading", name=re.compile("Basis"))).to_be_visible()
    tab_to(page, r"years")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("radio", checked=True)).to_have_count(1)
    wanted = page.get_by_role("radio", name="20 years' legal residence (born abroad)")
    for _ in range(6):
        if wanted.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(wanted).to_be_checked()
    activate(page, r"^Save and continue$")

    expect(page.get_by_role("heading", name=re.compile("Days outside Qatar"))).to_be_visible()
    for _ in range(20):
        type_into(page, r"^Days outside Qatar in \d{4}", "12")
    activate(page, r"^Save and continue$")

    expect(page.get_by_role("heading", name=re.compile("Employment"))).to_be_visible()
    type_into(page, r"^Employer or sponsor", "Qatar Engineering Co.")
    type_into(page, r"^Occupation", "Civil engineer")
    type_into(page, r"^Monthly income", "28000")
    activate(page, r"^Save and continue$")

    expect(page.get_by_role("heading", name=re.compile("Service centre"))).to_be_visible()
    tab_to(page, r"Service Centre")
    page.keyboard.press("ArrowDown")
    activate(page, r"^Save and continue$")

    expect(page.get_by_role("heading", name=re.compile("Documents"))).to_be_visible()
    files = {
        "Passport copy": ("passport.pdf", "application/pdf", scan_pdf("Passport")),
        "Personal photo": ("photo.jpg", "image/jpeg", photo_jpeg()),
        "Salary certificate": ("salary.pdf", "application/pdf", scan_pdf("Salary")),
        "Good conduct certificate": ("conduct.pdf", "application/pdf", scan_pdf("Conduct")),
    }
    for kind, (name, mime, content) in files.items():
        tab_to(page, r"^Document")
        page.keyboard.type(kind)  # typing a label's first letters picks it in a select
        chosen = page.get_by_role("combobox", name="Document").locator("option:checked")
        expect(chosen).to_have_text(kind)
        tab_to(page, r"^File")
        choose_file(page, {"name": name, "mimeType": mime, "buffer": content})
        activate(page, r"^Upload document$")
        expect(page.get_by_text("The document was uploaded.")).to_be_visible()
    activate(page, r"^Save and continue$")

    expect(page.get_by_role("heading", name=re.compile("Review"))).to_be_visible()
    # The fee is paid by e-payment first (by keyboard too: test_payment_flow's pages).
    PaymentFactory(application=Application.objects.get(person__qid="27535600008"))
    page.reload()
    activate(page, r"^Continue to the declaration$")
    expect(page.get_by_label("Verification code")).to_be_visible()
    activate(page, r"^Send code$")  # opening the page texts nothing
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()
    type_into(page, r"^Verification code", read_code_from_sandbox(page, base, "+97433100008"))
    submit(page)

    expect(page.get_by_role("heading", name=re.compile("Declaration"))).to_be_visible()
    activate(page, r"^I declare", key="Space")
    activate(page, r"basic knowledge of Arabic", key="Space")
    activate(page, r"^Submit application$")
    expect(page.get_by_text(re.compile(r"Your application .* was submitted"))).to_be_visible()
    assert Application.objects.get(person__qid="27535600008").status == (
        ApplicationStatus.SUBMITTED
    )
