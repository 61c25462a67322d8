// The closed-loop pages' one extra behaviour: reveal a masked phone number (the API logs who looked).
(function () {
  "use strict";
  const prefix = document.body.dataset.prefix || "/console";
  document.querySelectorAll("[data-reveal]").forEach(function (button) {
    button.addEventListener("click", async function () {
      try {
        const response = await fetch(prefix + "/api" + button.dataset.reveal,
                                     { credentials: "same-origin", headers: { "X-CSRF-Token": document.body.dataset.csrf || "" } });
        const data = await response.json();
        if (!response.ok) throw new Error(data.error || "出错了");
        document.querySelector("[data-revealed='" + button.dataset.target + "']").textContent = data.phone;
        button.remove();
      } catch (error) { window.alert(error.message); }
    });
  });
})();
