"""Page objects for a person's own data and sign-in security (see tests/browser/pages.py for
the base): two-factor sign-in, recovery codes, and downloading a copy of one's data."""
import re
import time

import pyotp
from playwright.sync_api import Download, Locator, expect

from tests.browser.pages import DashboardPage, PageObject


class TwoFactorSetUpPage(PageObject):
    heading = "Set up two-factor sign-in"

    @property
    def qr_code(self) -> Locator:
        return self.main.get_by_role("img", name="QR code to scan with your authenticator app")

    def secret(self) -> str:
        """The key printed under the QR code, as a person would type it into an app."""
        return self.main.locator("#totp-secret").inner_text().replace(" ", "")

    def turn_on(self, code: str) -> "RecoveryCodesPage":
        self.fill("Code from your app", code)
        self.press("Turn on two-factor sign-in")
        return RecoveryCodesPage(self.page, self.axe)


class RecoveryCodesPage(PageObject):
    heading = "Your recovery codes"

    def codes(self) -> list[str]:
        return [c.strip() for c in self.main.locator("#recovery-codes li").all_inner_texts()]

    def saved_them(self) -> DashboardPage:
        self.follow("I have saved my codes")
        return DashboardPage(self.page, self.axe)


class SecurityCodePage(PageObject):
    heading = "Enter your security code"

    def _enter(self, code: str) -> None:
        self.fill("Security code", code)
        self.press("Continue")

    def enter(self, code: str) -> DashboardPage:
        self._enter(code)
        return DashboardPage(self.page, self.axe)

    def enter_refused(self, code: str) -> "SecurityCodePage":
        self._enter(code)
        expect(self.page).to_have_title(re.compile(r"^Error: Enter your security code"))
        return SecurityCodePage(self.page, self.axe)


class YourDataPage(PageObject):
    path = "/accounts/your-data"
    heading = "Your data"

    def ask_for_a_copy(self) -> "YourDataPage":
        self.press("Ask for a copy of your data")
        return YourDataPage(self.page, self.axe)

    def download(self) -> Download:
        with self.page.expect_download() as download:
            self.main.get_by_role("link", name=re.compile(r"^Download your data")).click()
        return download.value


def code_after(secret: str, steps: int) -> str:
    """The code an authenticator shows `steps` time steps from now (30 seconds each)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)
