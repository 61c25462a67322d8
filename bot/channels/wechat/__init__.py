"""The WeChat official-account channel.

`inbound` (XML → `Update`), `envelope` (signatures, AES), `webhook` (the /wechat route and
the 5-second rule), `client` + `token` (outbound API with the shared access_token),
`delivery` (`send_text`: customer-service message, else template message), `pushes` (its
push sender for the delivery worker), `window`
(the 48-hour quota), `menu` (the custom menu), `recognizer` (speech to text).
"""

from bot.channels.wechat.delivery import WeChatMessenger
from bot.channels.wechat.webhook import WeChatChannel

__all__ = ["WeChatChannel", "WeChatMessenger"]
