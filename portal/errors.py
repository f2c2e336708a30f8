"""Error pages in the same shell as every other page."""
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something was wrong with that request",
          "Go back, reload the page and try again."),
    403: ("You do not have permission to see this page",
          "If you think you should, ask your programme team."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That action is not allowed here", "Go back and try again from the page."),
    409: ("That can no longer be changed",
          "It has ended or moved on since you opened the page. Go back and reload it."),
    413: ("That file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def render_error(code: int, detail: str | None = None):
    title, advice = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           advice=detail or advice), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(400, "Your form expired or was sent from somewhere else. "
                                 "Go back, reload the page and send it again.")

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code in (301, 302, 303, 307, 308):
            return error
        return render_error(error.code or 500, getattr(error, "description_for_user", None))

    @app.errorhandler(Exception)
    def _crash(error):
        app.logger.exception("unhandled error")
        return render_error(500)
