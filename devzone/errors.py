"""The pages of the errors Django answers itself (handler500), in Chinese.

A database that is down or restarting is not a bug of the page: the answer is 503 with "try again
in a moment", as JSON under /api/. The templates extend nothing and the view reads nothing from
the database, which may be the very thing that failed.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _


def server_error(request):
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    message = (
        _("数据库暂时不可用，请稍后重试。已保存的数据不受影响。")
        if unavailable
        else _("服务器出错，请稍后重试；如果反复出现，请联系系统管理员。")
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    page = loader.get_template("500.html").render({"message": message, "status": status})
    response = HttpResponse(page, status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response
