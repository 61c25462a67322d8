// The plain mobile phone beside the chat: the SMS and calls the fake provider received for the
// chosen number (polled), and SMS replies, which the provider posts to the bot as uplink.
// Uses `call` and `$` of app.js, loaded before it.
"use strict";

const phone = { number: null, after: {}, items: {}, polling: false };

function showItem(item) {
  const row = document.createElement("div");
  let body;
  if (item.kind === "call") {
    row.className = "row bot";
    body = document.createElement("div");
    body.className = "call-card";
    const title = document.createElement("div");
    title.className = "call-title";
    title.textContent = "📞 来电（自动语音），读的是：";
    const words = document.createElement("div");
    words.className = "call-text";
    words.textContent = item.text;
    body.append(title, words);
  } else {
    row.className = "row " + (item.kind === "up" ? "me" : item.kind === "note" ? "note" : "bot");
    const tag = document.createElement("div");
    tag.className = "tag";
    tag.textContent = item.kind === "up" ? "我回的短信" : item.kind === "note" ? "" : "短信";
    if (tag.textContent) row.appendChild(tag);
    body = document.createElement("div");
    body.className = item.kind === "up" ? "sms-out" : item.kind === "note" ? "text" : "sms-in";
    body.textContent = item.text;
  }
  row.appendChild(body);
  const inbox = $("inbox");
  inbox.appendChild(row);
  inbox.scrollTop = inbox.scrollHeight;
}

function itemsOf(number) {
  if (!phone.items[number]) phone.items[number] = [];
  return phone.items[number];
}

function addItem(number, item) {
  itemsOf(number).push(item);
  if (number === phone.number) showItem(item);
}

function choose(number) {
  phone.number = number;
  $("inbox").replaceChildren();
  itemsOf(number).forEach(showItem);
  fillNumbers([number]);
  $("number").value = number;
  phonePoll();
}

function fillNumbers(numbers) {
  const select = $("number");
  const have = new Set(Array.from(select.options, (o) => o.value));
  for (const n of numbers) {
    if (have.has(n)) continue;
    const opt = document.createElement("option");
    opt.value = n;
    opt.textContent = n;
    select.appendChild(opt);
  }
}

async function phonePoll() {
  if (phone.polling || !phone.number) return;
  phone.polling = true;
  const number = phone.number;
  try {
    const after = phone.after[number] || 0;
    const data = await call("api/phone/messages?phone=" + encodeURIComponent(number) + "&after=" + after);
    fillNumbers(data.phones);
    for (const m of data.messages) {
      addItem(number, m);
      phone.after[number] = Math.max(phone.after[number] || 0, m.seq);
    }
  } catch (err) {
    // the server may be restarting; try again on the next tick
  } finally {
    phone.polling = false;
  }
}

async function phoneStart() {
  const data = await call("api/phone/messages?phone=&after=0");
  fillNumbers(data.phones);
  choose(data.phones[0]);
  $("number").addEventListener("change", (e) => choose(e.target.value));
  $("new-number").addEventListener("change", (e) => {
    const n = e.target.value.trim();
    if (/^1[3-9][0-9]{9}$/.test(n)) {
      e.target.value = "";
      choose(n);
    }
  });
  $("sms-composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("sms-msg").value.trim();
    if (!text) return;
    $("sms-msg").value = "";
    const number = phone.number;
    let note = null;
    try {
      const res = await call("api/phone/reply", { phone: number, text });
      if (res.status !== 200) note = "机器人没收下这条短信（" + res.status + "）";
    } catch (err) {
      note = "没发出去，请再试一次";
    }
    await phonePoll();  // the reply first, as the provider kept it, then what became of it
    if (note) addItem(number, { kind: "note", text: note });
  });
  setInterval(phonePoll, 1000);
}

phoneStart();
