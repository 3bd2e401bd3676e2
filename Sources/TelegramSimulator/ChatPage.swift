import HTTPServer

/// The chat page at `/`: the group as a Telegram client shows it, self-contained (inline CSS and JS).
///
/// It polls `/sim/messages` every second. Each message is rebuilt from its plain text and entities (what
/// Telegram itself made of the HTML) with DOM calls and `textContent` only, so no message text can
/// become markup; links keep only http(s), tg and mailto targets. Pick a member, press a button: the page
/// posts `/sim/click` as that member and shows the bot's `answerCallbackQuery` text as a toast (or an alert).
enum ChatPage {
    static func response(title: String) -> HTTPResponse {
        .html(html(title: escape(title)))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func html(title: String) -> String {
        #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\#(title) · Telegram simulator</title>
        <style>\#(css)</style>
        </head>
        <body>
        <header>
          <div class="avatar">\#(String(title.prefix(1)))</div>
          <div class="heading"><div class="title">\#(title)</div><div class="subtitle" id="subtitle">group</div></div>
          <label class="picker">Acting as
            <select id="member"></select>
          </label>
        </header>
        <main id="messages"><div class="empty">No messages yet.</div></main>
        <div id="toasts"></div>
        <div id="alert" hidden><div class="alert-box"><div id="alert-text"></div>
          <button id="alert-ok">OK</button></div></div>
        <script>\#(script)</script>
        </body>
        </html>
        """#
    }

    private static let css = #"""
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.4 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
          background: linear-gradient(160deg, #d5e4c3 0%, #a8c79a 50%, #8fb3a1 100%); min-height: 100vh;
          display: flex; flex-direction: column; }
        header { position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: 12px;
          padding: 8px 16px; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
        .avatar { width: 40px; height: 40px; border-radius: 50%; background: #5fa8e8; color: #fff;
          display: flex; align-items: center; justify-content: center; font-weight: 600; font-size: 18px; }
        .heading { flex: 1; } .title { font-weight: 600; } .subtitle { color: #8a9aa9; font-size: 13px; }
        .picker { color: #707579; font-size: 13px; } .picker select { margin-left: 6px; font: inherit; padding: 4px; }
        main { flex: 1; width: 100%; max-width: 760px; margin: 0 auto; padding: 16px 12px 80px; }
        .empty { text-align: center; color: #fff; margin-top: 40px; text-shadow: 0 1px 2px rgba(0,0,0,.3); }
        .row { display: flex; flex-direction: column; align-items: flex-start; margin: 6px 0; }
        .row.mine { align-items: flex-end; }
        .bubble { position: relative; max-width: min(560px, 92%); background: #fff; border-radius: 12px;
          padding: 6px 10px 4px; box-shadow: 0 1px 1px rgba(0,0,0,.13); word-wrap: break-word; }
        .row.mine .bubble { background: #effdde; }
        .bubble.flash { animation: flash 1.2s; }
        @keyframes flash { from { background: #fff6c2; } }
        .sender { font-weight: 600; font-size: 14px; margin-bottom: 2px; }
        .text { white-space: pre-wrap; }
        .meta { float: right; margin: 6px 0 0 12px; font-size: 12px; color: #8a9aa9; }
        .quote { border-left: 3px solid #5fa8e8; background: rgba(95,168,232,.1); border-radius: 4px;
          padding: 2px 8px; margin: 2px 0 6px; font-size: 13px; cursor: pointer; max-width: 100%; overflow: hidden;
          white-space: nowrap; text-overflow: ellipsis; }
        .quote b { display: block; color: #3a8bd6; }
        blockquote { margin: 4px 0; padding: 2px 8px; border-left: 3px solid #5fa8e8; background: rgba(95,168,232,.08);
          border-radius: 4px; }
        code { font: 13px ui-monospace, Menlo, Consolas, monospace; color: #c7254e; }
        pre { font: 13px ui-monospace, Menlo, Consolas, monospace; background: #f4f5f7; padding: 6px 8px;
          border-radius: 6px; margin: 4px 0; white-space: pre-wrap; }
        a { color: #168acd; text-decoration: none; } a:hover { text-decoration: underline; }
        .mention, .command { color: #168acd; } .mention.paged { font-weight: 600; }
        .spoiler { background: #aab4bd; color: transparent; border-radius: 3px; cursor: pointer; }
        .spoiler.shown { background: rgba(0,0,0,.06); color: inherit; }
        .keyboard { max-width: min(560px, 92%); width: 100%; margin-top: 3px; }
        .kb-row { display: flex; gap: 3px; margin-top: 3px; }
        .kb-row button, .kb-row a { flex: 1; padding: 8px; border: 0; border-radius: 8px; color: #fff;
          background: rgba(40, 70, 50, .38); font: inherit; font-weight: 500; cursor: pointer; text-align: center; }
        .kb-row button:hover, .kb-row a:hover { background: rgba(40, 70, 50, .5); text-decoration: none; }
        .kb-row button.busy { opacity: .6; }
        #toasts { position: fixed; left: 50%; bottom: 24px; transform: translateX(-50%); z-index: 5;
          display: flex; flex-direction: column; gap: 8px; align-items: center; }
        .toast { background: rgba(0,0,0,.78); color: #fff; padding: 10px 16px; border-radius: 10px; max-width: 90vw; }
        .toast.error { background: rgba(170,30,30,.9); }
        #alert { position: fixed; inset: 0; background: rgba(0,0,0,.35); display: flex; align-items: center;
          justify-content: center; z-index: 6; } #alert[hidden] { display: none; }
        .alert-box { background: #fff; border-radius: 12px; padding: 18px 20px 10px; min-width: 260px;
          max-width: 90vw; }
        .alert-box button { float: right; margin-top: 12px; border: 0; background: none; color: #168acd;
          font-weight: 600; font-size: 15px; cursor: pointer; }
        """#

    private static let script = #"""
        "use strict";
        const colors = ["#e17076", "#7bc862", "#e5ca77", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];
        let members = [], byId = new Map(), lastSnapshot = "";
        const $ = (id) => document.getElementById(id);

        function el(tag, className, text) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          if (text !== undefined) node.textContent = text;
          return node;
        }

        function nameOf(user) {
          return user ? (user.first_name || (user.username ? "@" + user.username : "id " + user.id)) : "?";
        }

        function safeHref(url) {
          return /^(https?:|tg:|mailto:)/i.test(url || "") ? url : null;
        }

        function entityNode(entity, text) {
          switch (entity.type) {
            case "bold": return el("b");
            case "italic": return el("i");
            case "underline": return el("u");
            case "strikethrough": return el("s");
            case "code": return el("code");
            case "pre": {
              const node = el("pre");
              if (entity.language) node.dataset.lang = entity.language;
              return node;
            }
            case "blockquote": case "expandable_blockquote": return el("blockquote");
            case "spoiler": {
              const node = el("span", "spoiler");
              node.addEventListener("click", () => node.classList.add("shown"));
              return node;
            }
            case "text_link": {
              const href = safeHref(entity.url);
              if (!href) return el("span");
              const node = el("a"); node.href = href; node.target = "_blank"; node.rel = "noopener noreferrer";
              node.title = href; return node;
            }
            case "text_mention": {
              const node = el("span", "mention paged"); node.title = "mention of " + nameOf(entity.user); return node;
            }
            case "mention": {
              const node = el("span", "mention");
              const handle = text.slice(entity.offset + 1, entity.offset + entity.length).toLowerCase();
              if (members.some((m) => (m.username || "").toLowerCase() === handle)) node.classList.add("paged");
              return node;
            }
            case "bot_command": return el("span", "command");
            default: return el("span");
          }
        }

        // Entities nest (offsets are UTF-16 units, like JavaScript strings); one that crosses its parent's end
        // is cut there.
        function build(text, start, end, entities) {
          const fragment = document.createDocumentFragment();
          let position = start, index = 0;
          while (index < entities.length) {
            const entity = entities[index];
            const from = Math.max(entity.offset, position), to = Math.min(entity.offset + entity.length, end);
            let next = index + 1;
            while (next < entities.length && entities[next].offset < to) next++;
            if (to > from) {
              if (from > position) fragment.append(text.slice(position, from));
              const node = entityNode(entity, text);
              node.append(build(text, from, to, entities.slice(index + 1, next)));
              fragment.append(node);
              position = to;
            }
            index = next;
          }
          if (end > position) fragment.append(text.slice(position, end));
          return fragment;
        }

        function renderText(text, entities) {
          const sorted = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
          const node = el("div", "text");
          node.append(build(text, 0, text.length, sorted));
          return node;
        }

        function clock(seconds) {
          return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        }

        function renderMessage(message) {
          const row = el("div", "row");
          row.id = "m" + message.message_id;
          const me = Number($("member").value);
          if (!message.is_bot && message.from && message.from.id === me) row.classList.add("mine");
          const bubble = el("div", "bubble");
          const sender = el("div", "sender", nameOf(message.from) + (message.is_bot ? " (bot)" : ""));
          sender.style.color = colors[Math.abs(message.from ? message.from.id : 0) % colors.length];
          bubble.append(sender);

          if (message.reply_to_message_id) {
            const target = byId.get(message.reply_to_message_id);
            const quote = el("div", "quote");
            quote.append(el("b", "", target ? nameOf(target.from) : "Deleted message"));
            quote.append(target ? target.text.split("\n")[0] : "");
            quote.addEventListener("click", () => jumpTo(message.reply_to_message_id));
            bubble.append(quote);
          }
          const meta = el("span", "meta");
          meta.textContent = (message.disable_notification ? "🔕 " : "") + (message.edit_date ? "edited " : "")
            + clock(message.edit_date || message.date);
          meta.title = "message " + message.message_id
            + (message.edit_count ? ", " + message.edit_count + " edits" : "");
          bubble.append(meta, renderText(message.text, message.entities));
          row.append(bubble);

          const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
          if (keyboard && keyboard.length) {
            const board = el("div", "keyboard");
            for (const buttons of keyboard) {
              const line = el("div", "kb-row");
              for (const button of buttons) line.append(renderButton(message, button));
              board.append(line);
            }
            row.append(board);
          }
          return row;
        }

        function renderButton(message, button) {
          const href = safeHref(button.url);
          if (href) {
            const link = el("a", "", button.text + " ↗"); link.href = href; link.target = "_blank";
            link.rel = "noopener noreferrer"; return link;
          }
          const node = el("button", "", button.text);
          if (button.callback_data !== undefined) {
            node.title = "callback_data: " + button.callback_data;
            node.addEventListener("click", () => press(message, button.callback_data, node));
          }
          return node;
        }

        function jumpTo(id) {
          const row = $("m" + id);
          if (!row) return;
          row.scrollIntoView({ behavior: "smooth", block: "center" });
          const bubble = row.querySelector(".bubble");
          bubble.classList.remove("flash"); void bubble.offsetWidth; bubble.classList.add("flash");
        }

        function toast(text, kind) {
          const node = el("div", "toast" + (kind ? " " + kind : ""), text);
          $("toasts").append(node);
          setTimeout(() => node.remove(), 4000);
        }

        function alertBox(text) {
          $("alert-text").textContent = text;
          $("alert").hidden = false;
        }

        async function press(message, data, node) {
          const user = Number($("member").value);
          node.classList.add("busy");
          try {
            const response = await fetch("/sim/click", {
              method: "POST", headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ message_id: message.message_id, user_id: user, data: data }),
            });
            const body = await response.json();
            if (!response.ok) { toast(body.error || "click refused", "error"); return; }
            await waitForAnswer(body.callback_query_id);
          } catch (error) {
            toast("simulator unreachable: " + error, "error");
          } finally {
            node.classList.remove("busy");
          }
        }

        async function waitForAnswer(queryID) {
          for (let tries = 0; tries < 34; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            const answers = await (await fetch("/sim/answers")).json();
            const answer = answers.find((a) => a.callback_query_id === queryID);
            if (answer) {
              if (answer.text && answer.show_alert) alertBox(answer.text);
              else if (answer.text) toast(answer.text);
              poll();
              return;
            }
          }
          toast("The bot did not answer the click within 15 s", "error");
        }

        async function poll() {
          try {
            const response = await fetch("/sim/messages");
            const snapshot = await response.text();
            if (snapshot === lastSnapshot) return;
            lastSnapshot = snapshot;
            render(JSON.parse(snapshot));
          } catch (error) {
            $("subtitle").textContent = "simulator unreachable";
          }
        }

        function render(messages) {
          byId = new Map(messages.map((m) => [m.message_id, m]));
          const list = $("messages");
          const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 60;
          if (!messages.length) list.replaceChildren(el("div", "empty", "No messages yet."));
          else list.replaceChildren(...messages.map(renderMessage));
          if (atBottom) window.scrollTo(0, document.body.scrollHeight);
        }

        async function start() {
          members = await (await fetch("/sim/members")).json();
          const select = $("member");
          for (const member of members) {
            const option = el("option", "", nameOf(member) + (member.username ? " (@" + member.username + ")" : ""));
            option.value = String(member.id);
            select.append(option);
          }
          select.addEventListener("change", () => { lastSnapshot = ""; poll(); });
          $("subtitle").textContent = members.length + " members";
          $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
          await poll();
          window.scrollTo(0, document.body.scrollHeight);
          setInterval(poll, 1000);
        }

        start();
        """#
}
