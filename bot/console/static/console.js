// The staff console's little bit of behaviour: forms post JSON to the API, the broadcast
// preview and confirm, the live delivery report, spreadsheet import, revealing a phone.
(function () {
  "use strict";
  const prefix = document.body.dataset.prefix || "/console";
  const csrf = document.body.dataset.csrf || "";

  async function api(method, path, body, raw) {
    const options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (raw !== undefined) {
      options.body = raw;
      options.headers["Content-Type"] = "application/octet-stream";
    } else if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers["Content-Type"] = "application/json";
    }
    const response = await fetch(prefix + "/api" + path, options);
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (response.status === 401) {
      location.href = prefix + "/login?next=" + encodeURIComponent(location.pathname + location.search);
    }
    if (!response.ok) { throw new Error(data.error || "出错了（" + response.status + "）"); }
    return data;
  }

  function formData(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled) continue;
      if (el.type === "checkbox") {
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.value);
      } else if (el.type === "select-multiple") {
        out[el.name] = Array.from(el.selectedOptions).map(function (o) { return o.value; });
      } else if (el.dataset.list !== undefined) {
        out[el.name] = out[el.name] || [];
        if (el.value.trim()) out[el.name].push(el.value);
      } else {
        out[el.name] = el.value;
      }
    }
    return out;
  }

  function say(el, text, ok) {
    if (!el) return;
    el.textContent = text;
    el.classList.remove("ok", "error");
    el.classList.add(ok ? "ok" : "error");
  }

  function summary(data) {
    if (data.notified !== undefined) {
      return data.changed ? "已保存，已给 " + data.notified + " 人发改动通知。" : "没有改动。";
    }
    if (data.id !== undefined && data.title !== undefined) return "已保存：" + data.title;
    if (data.added !== undefined) return "已发布，推送给 " + (data.pushes || 0) + " 人。";
    if (data.password !== undefined) return "临时密码（只显示这一次，请当面或电话告诉本人）：" + data.password;
    return "已保存。";
  }

  function newRequestId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }
  document.querySelectorAll("[data-request-id]").forEach(function (el) { el.value = newRequestId(); });

  // Generic forms: <form data-api="/path" data-then="reload" data-confirm="…">
  document.querySelectorAll("form[data-api]").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const result = form.querySelector(".result");
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      try {
        const data = await api("POST", form.dataset.api, formData(form));
        say(result, summary(data), true);
        if (form.dataset.then === "reload") setTimeout(function () { location.reload(); }, 900);
      } catch (error) {
        say(result, error.message, false);
        if (button) button.disabled = false;
      }
    });
  });

  // Jobs: close one, import a sheet
  document.querySelectorAll("[data-close-job]").forEach(function (button) {
    button.addEventListener("click", async function () {
      if (!window.confirm("确定结束这个岗位的招聘吗？")) return;
      try {
        await api("POST", "/jobs/" + button.dataset.closeJob + "/close", { status: "closed" });
        location.reload();
      } catch (error) { window.alert(error.message); }
    });
  });
  document.querySelectorAll("[data-classify-job]").forEach(function (button) {
    button.addEventListener("click", async function () {
      const id = button.dataset.classifyJob;
      const kind = document.querySelector("[data-kind-for='" + id + "']").value;
      if (!kind) { window.alert("请先选工种。"); return; }
      try {
        const data = await api("POST", "/jobs/" + id + "/skills", { skills: kind });
        window.alert("已选：" + data.skills + "，推送给 " + data.pushes + " 人。");
        location.reload();
      } catch (error) { window.alert(error.message); }
    });
  });
  const jobCheck = document.getElementById("job-check-button");
  if (jobCheck) {
    jobCheck.addEventListener("click", async function () {
      const form = jobCheck.closest("form");
      const result = form.querySelector(".result");
      try {
        const body = formData(form);
        body.check = true;
        const data = await api("POST", "/jobs", body);
        say(result, "读懂的：" + data.understood + "\n没问题就点“发布”。", !data.unclassified);
      } catch (error) { say(result, error.message, false); }
    });
  }
  async function importSheet(check, button) {
    const file = document.getElementById("import-file").files[0];
    const result = document.getElementById("import-result");
    if (!file) { say(result, "请先选择文件。", false); return; }
    button.disabled = true;
    try {
      const data = await api("POST", "/jobs/import?filename=" + encodeURIComponent(file.name) + (check ? "&check=1" : ""),
                             undefined, file);
      let text = check ? "可以导入 " + data.added + " 个岗位（还没有导入）：" :
        "新增 " + data.added + " 个岗位，重复 " + data.duplicates + " 个，推送 " + data.pushes + " 人。";
      text += "\n" + data.understood.map(function (u) { return "第" + u.row + "行 " + u.title + "：" + u.text; }).join("\n");
      if (data.errors.length) {
        text += "\n有问题的行：\n" + data.errors.map(function (e) { return "第" + e.row + "行：" + e.reason; }).join("\n");
      }
      if (data.unclassified.length && !check) text += "\n有 " + data.unclassified.length + " 个岗位未归类，请在上面的表里选工种，选好才推送。";
      say(result, text, data.errors.length === 0);
    } catch (error) {
      say(result, error.message, false);
    }
    button.disabled = false;
  }
  const importButton = document.getElementById("import-button");
  if (importButton) {
    importButton.addEventListener("click", function () { importSheet(false, importButton); });
    const importCheck = document.getElementById("import-check-button");
    importCheck.addEventListener("click", function () { importSheet(true, importCheck); });
  }

  // Broadcasts: count, preview (saves a draft), confirm
  function audienceOf(data) {
    return { towns: data.towns || [], skills: data.skills || [], age_bands: data.age_bands || [],
             registered_since: data.registered_since || null, fair_id: data.fair_id ? Number(data.fair_id) : null };
  }
  const compose = document.getElementById("compose");
  let draftId = null;
  if (compose) {
    compose.addEventListener("change", function () { draftId = null; document.getElementById("preview").hidden = true; });
    document.getElementById("count-button").addEventListener("click", async function () {
      const out = document.getElementById("count-result");
      try {
        const data = await api("POST", "/audience", { audience: audienceOf(formData(compose)) });
        say(out, "将发给 " + data.total + " 人（" + data.label + "）", true);
      } catch (error) { say(out, error.message, false); }
    });
    compose.addEventListener("submit", async function (event) {
      event.preventDefault();
      const data = formData(compose);
      const result = compose.querySelector("p.result");
      try {
        const made = await api("POST", "/broadcasts", { title: data.title, texts: data.texts || [],
                                                        audience: audienceOf(data), fair_id: data.fair_id || null });
        draftId = made.broadcast.id;
        say(result, "", true);
        const preview = document.getElementById("preview");
        document.getElementById("preview-total").textContent = made.reach.total;
        document.getElementById("preview-audience").textContent = made.audience_label;
        const bubbles = document.getElementById("preview-bubbles");
        bubbles.replaceChildren();
        made.broadcast.texts.forEach(function (text) {
          const div = document.createElement("div");
          div.className = "bubble";
          div.textContent = text;
          bubbles.appendChild(div);
        });
        const body = document.querySelector("#preview-towns tbody");
        body.replaceChildren();
        made.reach.by_town.forEach(function (row) {
          const tr = document.createElement("tr");
          [row.town, row.count].forEach(function (v) {
            const td = document.createElement("td");
            td.textContent = v;
            tr.appendChild(td);
          });
          body.appendChild(tr);
        });
        const ways = made.reach.by_channel;
        document.getElementById("preview-channels").textContent = "微信/Telegram " + ways.chat + " 人，短信 " +
          ways.sms + " 人，电话 " + ways.calls + " 人" + (ways.none ? "，" + ways.none + " 人只能接电话、这类消息发不到" : "") +
          "；短信和电话约 " + ways.cost.toFixed(2) + " 元（本月预算还剩 " + ways.left.toFixed(2) + " 元）";
        const budget = document.getElementById("preview-budget");
        budget.hidden = !ways.warning;
        if (ways.warning) { say(budget, ways.warning, false); }
        document.getElementById("confirm-button").disabled = made.reach.total === 0;
        preview.hidden = false;
        preview.scrollIntoView();
      } catch (error) { say(result, error.message, false); }
    });
  }

  async function confirmBroadcast(id, button, out) {
    button.disabled = true;
    try {
      const data = await api("POST", "/broadcasts/" + id + "/confirm", {});
      say(out, data.first ? "已开始发送，共 " + data.queued + " 人。" : "这条通知已经确认过了，不会重复发送。", true);
      setTimeout(function () { location.href = prefix + "/broadcasts/" + id; }, 600);
    } catch (error) {
      say(out, error.message, false);
      button.disabled = false;
    }
  }
  const confirmButton = document.getElementById("confirm-button");
  if (confirmButton) {
    confirmButton.addEventListener("click", function () {
      const id = confirmButton.dataset.id || draftId;
      const out = document.getElementById("confirm-result") || document.getElementById("stop-result");
      if (id) confirmBroadcast(id, confirmButton, out);
    });
  }

  // The delivery report: refresh the counts every few seconds; stop
  const report = document.getElementById("report");
  if (report) {
    const id = report.dataset.broadcastId;
    async function refresh() {
      let wait = 3000;
      try {
        const data = await api("GET", "/broadcasts/" + id);
        document.getElementById("broadcast-status").textContent = data.broadcast.status_label;
        document.getElementById("report-total").textContent = data.report.total;
        data.report.rows.forEach(function (r) {
          const cell = report.querySelector('[data-count="' + r.row + '"]');
          if (cell) cell.textContent = r.count;
        });
        report.querySelectorAll("[data-waiting]").forEach(function (cell) { cell.textContent = data.report.waiting; });
        const body = document.querySelector("#reasons tbody");
        body.replaceChildren();
        data.report.reasons.forEach(function (r) {
          const tr = document.createElement("tr");
          [r.label, r.reason, r.count].forEach(function (v) {
            const td = document.createElement("td");
            td.textContent = v;
            tr.appendChild(td);
          });
          body.appendChild(tr);
        });
        report.dataset.refreshed = String(Date.now());
        if (data.report.finished && data.broadcast.status !== "draft") wait = 15000;
      } catch (error) { wait = 10000; }
      setTimeout(refresh, wait);
    }
    setTimeout(refresh, 1500);
    document.getElementById("stop-button").addEventListener("click", async function () {
      const out = document.getElementById("stop-result");
      if (!window.confirm("确定停止吗？已经发出去的收不回来，还没发的不再发。")) return;
      try {
        const data = await api("POST", "/broadcasts/" + id + "/stop", {});
        say(out, "已停止，还没发的 " + data.stopped + " 条不再发送。", true);
        document.getElementById("stop-button").disabled = true;
      } catch (error) { say(out, error.message, false); }
    });
  }

  // Workers: reveal one phone number (logged)
  document.querySelectorAll("[data-contact]").forEach(function (button) {
    button.addEventListener("click", async function () {
      try {
        const data = await api("GET", "/workers/" + button.dataset.contact + "/contact");
        document.querySelector("[data-phone='" + button.dataset.contact + "']").textContent = data.phone;
        button.remove();
      } catch (error) { window.alert(error.message); }
    });
  });
})();
