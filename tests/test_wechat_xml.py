"""The webhook's own XML reading and passive-reply writing give exactly what wechatpy's
parse_message and TextReply give, for ordinary messages and for odd shapes alike."""

from __future__ import annotations

import pytest
from wechatpy import parse_message
from wechatpy.replies import TextReply

from bot.channels.wechat.inbound import BadMessage, _flat_message, parse
from bot.channels.wechat.webhook import passive_text

HEAD = "<ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_1]]></FromUserName>"
FLAT = [
    f"<xml>{HEAD}<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[找工作]]></Content><MsgId>123</MsgId></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>TEXT</MsgType><Content>  有空格 \n</Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[]]></Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>a<!-- c -->b</Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId>"
    "<Format>amr</Format><Recognition><![CDATA[我想找活]]></Recognition><MsgId>9</MsgId></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>location</MsgType><Location_X>29.1</Location_X>"
    "<Location_Y>118.4</Location_Y><Scale>15</Scale><Label><![CDATA[华埠镇]]></Label><MsgId>8</MsgId></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>u</PicUrl><MsgId>7</MsgId></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>hologram</MsgType><MsgId>6</MsgId></xml>",
]
ODD = [  # shapes left to wechatpy's own parse: events, nesting, attributes, repeats, namespaces, mixed text
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>"
    "<EventKey>qrscene_12</EventKey></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>JOBS</EventKey></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content><b>x</b></Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content lang='zh'>x</Content></xml>",
    f"<xml a='1'>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><Content>y</Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><p:Content>x</p:Content></xml>",
    f"<xml xmlns:p='urn:x'>{HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><p:Content>x</p:Content></xml>",
    f"<xml>loose {HEAD}<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>",
    f"<xml>{HEAD}<CreateTime>1</CreateTime>tail<MsgType>text</MsgType><Content>x</Content></xml>",
]
BROKEN = ["<xml><MsgType>text</MsgType>", f"<other>{HEAD}<MsgType>text</MsgType></other>",
          f"<xml>{HEAD}<CreateTime>1</CreateTime></xml>", "", "not xml"]


@pytest.mark.parametrize("body", FLAT)
def test_a_flat_message_is_read_as_wechatpy_reads_it(body: str) -> None:
    ours, theirs = _flat_message(body), parse_message(body)
    assert ours is not None and theirs is not None and type(ours) is type(theirs)
    assert ours._data == theirs._data
    assert parse(body)._data == theirs._data


@pytest.mark.parametrize("body", ODD)
def test_other_shapes_are_left_to_wechatpy(body: str) -> None:
    assert _flat_message(body) is None
    assert parse_message(body) is not None  # which reads them


@pytest.mark.parametrize("body", BROKEN)
def test_what_wechatpy_cannot_read_is_refused(body: str) -> None:
    with pytest.raises(BadMessage):
        parse(body)


@pytest.mark.parametrize("text", ["请回复编号：\n1 找工作", "a]]>b<x>&amp;", ""])
def test_a_passive_reply_is_the_xml_wechatpy_renders(text: str) -> None:
    message = parse(FLAT[0])
    rendered = TextReply(message=message, content=text.replace("]]>", "]]]]><![CDATA[>")).render()
    ours = passive_text(message, text)
    if ours != rendered:  # the second ticked over between the two
        rendered = TextReply(message=message, content=text.replace("]]>", "]]]]><![CDATA[>")).render()
    assert ours == rendered
