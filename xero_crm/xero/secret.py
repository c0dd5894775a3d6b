"""A string that never shows itself in a repr.

Frappe's Error Log (`frappe.log_error()` without a message) prints the local variables of every frame
of a traceback with repr(). A client secret, a refresh token, an access token or an authorization
code held as a `Secret` prints as '***' there (and in any dict, list or dataclass repr around it),
while it still works as the plain string it is: comparisons, hashing, f-strings, `str()` and
url-encoding all see the real value.
"""


class Secret(str):
	__slots__ = ()

	def __repr__(self) -> str:
		return "'***'"
