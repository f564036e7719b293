"""Response headers that Django's SecurityMiddleware does not set itself."""

from django.conf import settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The admin ships inline scripts and styles; keep it usable, still never framed.
        if request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'")
        else:
            response.setdefault("Content-Security-Policy", getattr(settings, "CONTENT_SECURITY_POLICY", CSP))
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
