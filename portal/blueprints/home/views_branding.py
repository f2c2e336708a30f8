"""The organisation's logo, uploaded in the site settings (see portal.branding)."""
from flask import abort, current_app, request, send_file

from portal import branding, uploads
from portal.blueprints.home.views import bp


@bp.get("/branding/logo")
def logo():
    """Public, as the header shows it on every page. The address carries the file's hash,
    so a browser may keep it for a day; a stale address gets the current logo, uncached."""
    current = branding.current().logo or abort(404)
    path = uploads.stored_path(current_app.config["UPLOAD_DIR"], current["file"])
    if not path.is_file():  # another server's upload folder, or removed by hand
        abort(404)
    extension = "svg" if current["mime"] == branding.SVG_MIME else "png"
    response = send_file(path, mimetype=current["mime"], conditional=True,
                         download_name=f"logo.{extension}")
    fresh = request.args.get("v") == current["sha256"][:12]
    response.headers["Cache-Control"] = "public, max-age=86400" if fresh else "no-cache"
    response.headers["Content-Security-Policy"] = branding.LOGO_POLICY
    return response
