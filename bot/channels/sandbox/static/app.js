// The sandbox chat: what the person does goes to the page's backend, which signs it as a
// WeChat message and posts it to /wechat; passive replies come back at once, later replies
// and pushes are polled from the fake WeChat API.
"use strict";

const state = { config: null, users: [], current: null, chats: {}, after: {}, polling: false };
const $ = (id) => document.getElementById(id);

async function call(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const res = await fetch(path, init);
  if (!res.ok) throw new Error("HTTP " + res.status);
  return res.json();
}

function chatOf(openid) {
  if (!state.chats[openid]) state.chats[openid] = [];
  return state.chats[openid];
}

function add(openid, who, text, tag) {
  const item = { who, text, tag };
  chatOf(openid).push(item);
  if (openid === state.current) render(item);
}

function render(item) {
  const row = document.createElement("div");
  row.className = "row " + item.who;
  if (item.tag) {
    const tag = document.createElement("div");
    tag.className = "tag";
    tag.textContent = item.tag;
    row.appendChild(tag);
  }
  const body = document.createElement("div");
  body.className = item.who === "note" ? "text" : "bubble " + item.who;
  body.textContent = item.text;
  row.appendChild(body);
  const chat = $("chat");
  chat.appendChild(row);
  chat.scrollTop = chat.scrollHeight;
}

function showChat() {
  $("chat").replaceChildren();
  chatOf(state.current).forEach(render);
}

async function send(action, echo) {
  const openid = state.current;
  if (echo) add(openid, echo.who, echo.text);
  $("typing").hidden = false;
  try {
    const res = await call("api/send", { openid, ...action });
    if (res.status !== 200) add(openid, "note", "服务器回答 " + res.status);
    else if (res.reply) add(openid, "bot", res.reply);
  } catch (err) {
    add(openid, "note", "没发出去，请再试一次");
  } finally {
    $("typing").hidden = true;
  }
  poll();
}

// One poll at a time per view: what came after the last message seen for `key`, each handed on.
async function pollNew(view, key, url, onMessage) {
  if (view.polling || !key) return null;
  view.polling = true;
  try {
    const data = await call(url + "&after=" + (view.after[key] || 0));
    for (const m of data.messages) {
      onMessage(m);
      view.after[key] = Math.max(view.after[key] || 0, m.seq);
    }
    return data;
  } catch (err) {
    return null; // the server may be restarting; try again on the next tick
  } finally {
    view.polling = false;
  }
}

async function poll() {
  const openid = state.current;
  if (!openid) return;
  await pollNew(state, openid, state.config.messages_url + "?openid=" + encodeURIComponent(openid),
    (m) => add(openid, "bot", m.text, m.kind === "template" ? "模板消息" : "客服消息"));
}

function fillUsers() {
  const select = $("user");
  select.replaceChildren();
  for (const u of state.users) {
    const opt = document.createElement("option");
    opt.value = u.openid;
    opt.textContent = u.name + "（" + u.openid.slice(-6) + "）";
    select.appendChild(opt);
  }
  select.value = state.current;
}

function closeSubmenu() {
  $("submenu").hidden = true;
}

function clickKey(button) {
  closeSubmenu();
  send({ type: "click", key: button.key }, { who: "note", text: "点了菜单：" + button.name });
}

function fillMenu(menu) {
  const nav = $("menu");
  nav.replaceChildren();
  for (const top of menu.button) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = (top.sub_button && top.sub_button.length ? "≡ " : "") + top.name;
    b.addEventListener("click", () => {
      if (!top.sub_button || !top.sub_button.length) return clickKey(top);
      const sub = $("submenu");
      if (!sub.hidden && sub.dataset.owner === top.name) return closeSubmenu();
      sub.replaceChildren();
      for (const item of top.sub_button) {
        const s = document.createElement("button");
        s.type = "button";
        s.textContent = item.name;
        s.addEventListener("click", () => clickKey(item));
        sub.appendChild(s);
      }
      sub.dataset.owner = top.name;
      sub.style.left = b.offsetLeft + "px";
      sub.hidden = false;
    });
    nav.appendChild(b);
  }
}

async function start() {
  state.config = await call("api/config");
  state.users = state.config.users.slice();
  state.current = state.users[0].openid;
  fillUsers();
  fillMenu(state.config.menu);
  for (const t of state.config.towns) {
    const opt = document.createElement("option");
    opt.value = t.name;
    opt.textContent = t.name;
    $("town").appendChild(opt);
  }
  add(state.current, "note", "点“关注公众号”开始，或直接打字");

  $("user").addEventListener("change", (e) => { state.current = e.target.value; showChat(); poll(); });
  $("new-user").addEventListener("click", async () => {
    const u = await call("api/new-user", {});
    u.name = "新用户" + (state.users.length - 2);
    state.users.push(u);
    state.current = u.openid;
    fillUsers();
    showChat();
  });
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("msg").value.trim();
    if (!text) return;
    $("msg").value = "";
    send({ type: "text", text }, { who: "me", text });
  });
  $("follow").addEventListener("click", () => send({ type: "subscribe" }, { who: "note", text: "你关注了公众号" }));
  $("unfollow").addEventListener("click", () => send({ type: "unsubscribe" }, { who: "note", text: "你取消了关注" }));
  $("send-image").addEventListener("click", () => send({ type: "image" }, { who: "me", text: "[图片]" }));
  $("send-location").addEventListener("click", () => {
    const town = state.config.towns.find((t) => t.name === $("town").value);
    send({ type: "location", latitude: town.lat, longitude: town.lon, label: town.name },
      { who: "me", text: "[位置] " + town.name });
  });
  setInterval(poll, 1000);
}

start();
