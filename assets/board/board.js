// qingdan's supervision board (督查督办看板): a page of the server, no framework, no CDN.
// Every request goes to /graphql with the token pasted at sign-in (kept in sessionStorage for
// this browser session only), using the operations published in the page (#board-operations),
// which the server trusts even under --trusted-documents. Live events come over
// graphql-transport-ws from /graphql/ws. Text from the server is always set as text, never HTML.
(function () {
  "use strict";

  var OPS = JSON.parse(document.getElementById("board-operations").textContent);
  var TOKEN_KEY = "qingdan.board.token";
  var GRAPHQL = new URL("/graphql", window.location.href).toString();
  var WS = GRAPHQL.replace(/^http/, "ws") + "/ws";

  var S = {
    token: null,
    viewer: null,
    documents: [],
    document: null,
    period: null,
    data: null,
    socket: null,
    reloadTimer: null,
    // Comments being typed, by report or extension id: a refresh (after a live event) redraws
    // the queues and must not lose them.
    drafts: {},
    loading: 0,
    charts: {},
  };

  // ---- small helpers -------------------------------------------------------------------------

  function $(testid) {
    return document.querySelector('[data-testid="' + testid + '"]');
  }

  // h("div", {class: "x", "data-testid": "y"}, child, "text", …): an element; text as text.
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "onclick" || k === "onchange") el[k] = v;
      else if (k === "text") el.textContent = String(v);
      else el.setAttribute(k, v === true ? "" : String(v));
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(x); });
      else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return el;
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  function showError(message) {
    var el = $("error");
    el.textContent = message || "";
    el.hidden = !message;
  }

  function short(text, n) {
    text = String(text || "");
    return text.length > n ? text.slice(0, n) + "…" : text;
  }

  var TIME = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
  function when(iso) {
    return iso ? TIME.format(new Date(iso)) : "";
  }

  var LIGHTS = { GREEN: "绿灯", BLUE: "蓝灯", YELLOW: "黄灯", RED: "红灯" };
  var LIGHT_COLORS = { GREEN: "#3ba272", BLUE: "#5470c6", YELLOW: "#fac858", RED: "#ee6666" };
  var STATES = { SUBMITTED: "按时报送", SUBMITTED_LATE: "逾期报送", PENDING: "未到期", OVERDUE: "逾期未报", RETURNED: "已退回" };
  var REPORT_STATUS = { NOT_STARTED: "尚未启动", ON_TRACK: "正常推进", AT_RISK: "存在风险", DELAYED: "滞后", COMPLETED: "已完成" };
  var LEVELS = { BLUE: "蓝色督办", ORANGE: "橙色督办", RED: "红色督办" };
  var ACTIONS = {
    "report.submitted": "报送进展", "report.accepted": "审核通过", "report.returned": "退回修改",
    "extension.requested": "申请延期", "extension.decided": "延期审批", "notice.issued": "发出督办单",
    "closure.requested": "申请销号", "closure.decided": "销号审批",
  };

  // ---- GraphQL over HTTP ---------------------------------------------------------------------

  function gql(name, variables) {
    var headers = { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" };
    if (S.token) headers.Authorization = "Bearer " + S.token;
    return fetch(GRAPHQL, {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ query: OPS[name], operationName: name, variables: variables || {} }),
    }).then(function (response) {
      return response.json().catch(function () {
        throw new Error("服务器返回 HTTP " + response.status);
      });
    }).then(function (body) {
      if (body.errors && body.errors.length) {
        var e = body.errors[0];
        var code = e.extensions && e.extensions.code ? " (" + e.extensions.code + ")" : "";
        var err = new Error(e.message + code);
        err.code = e.extensions && e.extensions.code;
        throw err;
      }
      return body.data;
    });
  }

  // ---- sign-in -------------------------------------------------------------------------------

  function signIn(token) {
    S.token = token.trim().replace(/^Bearer\s+/i, "");
    if (!S.token) return showError("请粘贴令牌");
    showError("");
    return gql("BoardStart").then(function (data) {
      if (data.viewer.role === "ANONYMOUS") throw new Error("令牌无效或已吊销");
      sessionStorage.setItem(TOKEN_KEY, S.token);
      S.viewer = data.viewer;
      S.documents = data.documents;
      $("sign-in-form").hidden = true;
      $("board").hidden = false;
      var who = data.viewer.label || "";
      $("viewer").textContent = roleName(data.viewer.role) + (data.viewer.department ? " · " + data.viewer.department.name : "") + (who ? " · " + who : "");
      fillDocuments();
    }).catch(function (e) {
      S.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      showError("登录失败：" + e.message);
    });
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    closeSocket();
    S.token = null;
    S.viewer = null;
    S.drafts = {};
    clear($("event-feed")).appendChild(h("li", { class: "empty", text: "打开看板后的报送、审核、延期与督办将在此出现" }));
    $("department-page").hidden = true;
    $("board").hidden = true;
    $("sign-in-form").hidden = false;
    $("token-input").value = "";
  }

  function roleName(role) {
    return { ADMIN: "管理员", SUPERVISOR: "督查督办", REPORTER: "报送单位", VIEWER: "只读" }[role] || role;
  }

  // A supervisor of the office that issued the document, or an admin: the server decides, the
  // page only leaves out buttons that would be refused.
  function canSupervise(doc) {
    var v = S.viewer, d = doc || S.document;
    if (!v || !d) return false;
    if (v.role === "ADMIN") return true;
    if (v.role !== "SUPERVISOR" || !v.department) return false;
    var office = v.department.name;
    return d.issuer === office || d.issuer === d.region + office;
  }

  // ---- selection -----------------------------------------------------------------------------

  function fillDocuments() {
    var select = clear($("document-select"));
    S.documents.forEach(function (d) {
      select.appendChild(h("option", { value: d.id, text: d.year + " · " + d.title }));
    });
    // The supervisor's own office's latest list, else the latest list.
    var mine = S.documents.filter(function (d) { return canSupervise(d); });
    var pool = mine.length ? mine : S.documents;
    var latest = pool.slice().sort(function (a, b) { return b.year - a.year; })[0] || null;
    S.document = latest;
    if (!latest) return showError("服务器上还没有清单");
    select.value = latest.id;
    fillPeriods();
  }

  function fillPeriods() {
    var select = clear($("period-select"));
    var periods = S.document.reportingPeriods;
    periods.forEach(function (p) {
      select.appendChild(h("option", { value: p.id, text: p.year + "年 " + p.label + "（" + p.dueOn + " 截止）" }));
    });
    // The period being reported now, by the server's clock.
    var current = S.document.currentPeriod;
    S.period = periods.filter(function (p) { return current && p.id === current.id; })[0] || periods[0];
    if (S.period) select.value = S.period.id;
    load();
  }

  function selectDocument(id) {
    S.document = S.documents.filter(function (d) { return d.id === id; })[0];
    fillPeriods();
  }

  function selectPeriod(id) {
    S.period = S.document.reportingPeriods.filter(function (p) { return p.id === id; })[0];
    load();
  }

  // ---- loading the selection -----------------------------------------------------------------

  function load() {
    if (!S.period) return;
    var board = $("board");
    var period = S.period, doc = S.document;
    var ticket = ++S.loading;
    board.setAttribute("data-ready", "false");
    return gql("BoardPeriod", { documentId: doc.id, periodId: period.id }).then(function (data) {
      if (ticket !== S.loading) return;
      S.data = data;
      // Keep the field being typed in focused across the redraw.
      var active = document.activeElement && document.activeElement.getAttribute("data-draft-key");
      render();
      var again = active && document.querySelector('[data-draft-key="' + CSS.escape(active) + '"]');
      if (again) {
        again.focus();
        again.setSelectionRange(again.value.length, again.value.length);
      }
      board.setAttribute("data-period-id", period.id);
      board.setAttribute("data-ready", "true");
      subscribe();
    }).catch(function (e) {
      if (ticket !== S.loading) return;
      showError("读取失败：" + e.message);
      board.setAttribute("data-ready", "true");
    });
  }

  // A reload soon after events: several events in a burst make one request.
  function reloadSoon() {
    clearTimeout(S.reloadTimer);
    S.reloadTimer = setTimeout(load, 300);
  }

  function render() {
    var s = S.data.summary;
    $("tile-total").textContent = s.total;
    $("tile-submitted").textContent = s.submitted;
    $("tile-late").textContent = s.submittedLate;
    $("tile-overdue").textContent = s.overdue;
    $("tile-returned").textContent = s.returned;
    $("tile-pending-review").textContent = s.pendingReview;
    $("tile-extensions").textContent = s.extensionsPending;
    $("schedule").textContent = "序时进度 " + s.scheduledProgress + "%" +
      (s.averageProgress === null ? "" : " · 平均报送进度 " + s.averageProgress + "%") +
      (s.closed ? " · 已销号 " + s.closed + " 项" : "");
    renderCharts();
    renderReviews();
    renderExtensions();
    renderOverdue();
    renderDepartments();
  }

  // ---- charts --------------------------------------------------------------------------------

  function chart(testid) {
    var el = $(testid);
    if (!S.charts[testid]) S.charts[testid] = echarts.init(el, null, { renderer: "canvas" });
    return S.charts[testid];
  }

  function renderCharts() {
    var s = S.data.summary;
    // Lights per department: the departments with the most red and yellow first (at most 30).
    var rows = s.byDepartment.slice().sort(function (a, b) {
      return (b.red * 1000 + b.yellow) - (a.red * 1000 + a.yellow) || b.total - a.total;
    }).slice(0, 30).reverse();
    var lights = chart("chart-lights");
    lights.setOption({
      title: { text: "各部门预警灯（前 30）", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 28, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.department.name; }), axisLabel: { interval: 0, fontSize: 11 } },
      series: ["RED", "YELLOW", "BLUE", "GREEN"].map(function (l) {
        return {
          name: LIGHTS[l], type: "bar", stack: "lights", itemStyle: { color: LIGHT_COLORS[l] },
          data: rows.map(function (r) { return r[l.toLowerCase()]; }),
        };
      }),
    }, true);
    lights.off("click");
    lights.on("click", function (e) {
      var row = rows[e.dataIndex];
      if (row) openDepartment(row.department.id);
    });
    // Progress against the schedule (序时进度) per category: bars, and the schedule as a line.
    var cats = s.byCategory.slice().reverse();
    chart("chart-progress").setOption({
      title: { text: "各类任务平均进度与序时进度", left: "center", textStyle: { fontSize: 14 } },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (p) {
          var c = cats[p[0].dataIndex];
          return echarts.format.encodeHTML(c.category.number + ". " + c.category.name) + "<br>平均报送进度 " +
            (c.averageProgress === null ? "（无报告）" : c.averageProgress + "%") + "，序时进度 " + c.scheduledProgress + "%，应报 " + c.total;
        },
      },
      grid: { left: 8, right: 24, top: 36, bottom: 28, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: {
        type: "category", axisLabel: { interval: 0, fontSize: 11 },
        data: cats.map(function (c) { return c.category.number + ". " + short(c.category.name, 7); }),
      },
      legend: { bottom: 0 },
      series: [
        { name: "平均报送进度", type: "bar", itemStyle: { color: "#5470c6" }, data: cats.map(function (c) { return c.averageProgress; }) },
        {
          name: "序时进度", type: "line", symbol: "none", itemStyle: { color: "#ee6666" }, lineStyle: { width: 2 },
          data: cats.map(function (c) { return c.scheduledProgress; }),
        },
      ],
    }, true);
    // The assessment ranking (考核): the best 20.
    var ranked = S.data.assessment.slice(0, 20).reverse();
    chart("chart-assessment").setOption({
      title: { text: "年度考核得分（前 20）", left: "center", textStyle: { fontSize: 14 } },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        // A tooltip's text is HTML: names from an imported list are escaped.
        formatter: function (p) {
          var r = ranked[p[0].dataIndex];
          return "第 " + r.rank + " 名 " + echarts.format.encodeHTML(r.department.name) + "<br>得分 " + r.score + "，应报 " + r.obligations + "，逾期 " + r.overdue + "，红灯 " + r.redLights;
        },
      },
      grid: { left: 8, right: 32, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: ranked.map(function (r) { return r.rank + ". " + r.department.name; }), axisLabel: { interval: 0, fontSize: 11 } },
      series: [{ type: "bar", itemStyle: { color: "#73c0de" }, label: { show: true, position: "right" }, data: ranked.map(function (r) { return r.score; }) }],
    }, true);
  }

  window.addEventListener("resize", function () {
    Object.keys(S.charts).forEach(function (k) { S.charts[k].resize(); });
  });

  // ---- queues --------------------------------------------------------------------------------

  function queueTitle(testid, text, shown, total) {
    $(testid).textContent = text + "（" + total + (shown < total ? "，显示前 " + shown : "") + "）";
  }

  function taskCell(task) {
    return h("td", { class: "task", title: task.content }, h("b", { text: task.number + ". " }), short(task.content, 40));
  }

  function deptCell(department) {
    return h("td", null, h("button", {
      class: "link", "data-testid": "department-link", "data-department-id": department.id, text: department.name,
      onclick: function () { openDepartment(department.id); },
    }));
  }

  function act(button, run) {
    button.disabled = true;
    showError("");
    return run().then(function () { load(); }).catch(function (e) {
      showError("操作失败：" + e.message);
      button.disabled = false;
    });
  }

  // A comment field that keeps what was typed in it across redraws.
  function draft(field, key) {
    field.value = S.drafts[key] || "";
    field.setAttribute("data-draft-key", key);
    field.oninput = function () { S.drafts[key] = field.value; };
    return field;
  }

  // A table body redrawn row by row: a row whose data did not change stays the same element
  // (focus, typed text, and a script's handle on it survive a refresh); rows that left are
  // removed, new ones made, and nothing moves that is already in its place.
  function keyed(body) {
    var before = body._keyed || {}, after = {}, order = [];
    return {
      add: function (key, data, make) {
        var sig = JSON.stringify(data);
        var old = before[key];
        var el = old && old.sig === sig ? old.el : make();
        after[key] = { sig: sig, el: el };
        order.push(el);
      },
      done: function (empty) {
        if (!order.length && empty) order.push(empty);
        Array.prototype.slice.call(body.children).forEach(function (el) {
          if (order.indexOf(el) < 0) body.removeChild(el);
        });
        order.forEach(function (el, i) {
          if (body.children[i] !== el) body.insertBefore(el, body.children[i] || null);
        });
        body._keyed = after;
      },
    };
  }

  function emptyRow(colspan, text) {
    return h("tr", null, h("td", { colspan: colspan, class: "empty", text: text }));
  }

  function renderReviews() {
    var q = S.data.reviews, rows = keyed($("review-queue"));
    queueTitle("review-title", "待审核报告", q.nodes.length, q.totalCount);
    var sup = canSupervise();
    q.nodes.forEach(function (o) {
      rows.add(o.report.id, [o, sup], function () { return reviewRow(o, sup); });
    });
    rows.done(emptyRow(7, "没有待审核的报告"));
  }

  function reviewRow(o, sup) {
    var r = o.report;
    var actions = null;
    if (sup) {
      var comment = draft(h("textarea", { "data-testid": "review-comment", rows: 2, maxlength: 2000, placeholder: "退回须填写意见" }), r.id);
      var accept = h("button", { "data-testid": "review-accept", class: "ok", text: "通过" });
      var back = h("button", { "data-testid": "review-return", class: "warn", text: "退回" });
      accept.onclick = function () {
        act(accept, function () {
          return gql("BoardReview", { input: { reportId: r.id, decision: "ACCEPT", comment: comment.value || null, expectedRevision: r.revision } });
        });
      };
      back.onclick = function () {
        if (!comment.value.trim()) { showError("退回须填写意见"); comment.focus(); return; }
        act(back, function () {
          return gql("BoardReview", { input: { reportId: r.id, decision: "RETURN", comment: comment.value, expectedRevision: r.revision } });
        });
      };
      actions = h("td", { class: "actions" }, comment, accept, back);
    }
    return h("tr", { "data-testid": "review-row", "data-report-id": r.id },
      taskCell(o.task), deptCell(o.department),
      h("td", null, h("span", { class: "light " + o.light, text: LIGHTS[o.light] })),
      h("td", { text: r.progressPercent + "% · " + (REPORT_STATUS[r.status] || r.status) }),
      h("td", { class: "summary", title: r.summary, text: short(r.summary, 60) }),
      h("td", { text: when(r.submittedAt) + (r.isLate ? "（逾期）" : "") + (r.revision > 1 ? " 第" + r.revision + "稿" : "") }),
      actions);
  }

  function renderExtensions() {
    var q = S.data.extensions, rows = keyed($("extension-queue"));
    queueTitle("extension-title", "待审批延期申请", q.nodes.length, q.totalCount);
    var sup = canSupervise();
    q.nodes.forEach(function (o) {
      o.extensions.filter(function (e) { return e.state === "PENDING"; }).forEach(function (e) {
        rows.add(e.id, [o.task, o.department, e, sup], function () { return extensionRow(o, e, sup); });
      });
    });
    rows.done(emptyRow(6, "没有待审批的延期申请"));
  }

  function extensionRow(o, e, sup) {
    var actions = null;
    if (sup) {
      var comment = draft(h("input", { "data-testid": "extension-comment", placeholder: "意见（不同意须填写）", maxlength: 2000 }), e.id);
      var yes = h("button", { "data-testid": "extension-approve", class: "ok", text: "同意" });
      var no = h("button", { "data-testid": "extension-reject", class: "warn", text: "不同意" });
      yes.onclick = function () {
        act(yes, function () { return gql("BoardDecideExtension", { input: { extensionId: e.id, approve: true, comment: comment.value || null } }); });
      };
      no.onclick = function () {
        if (!comment.value.trim()) { showError("不同意须填写意见"); comment.focus(); return; }
        act(no, function () { return gql("BoardDecideExtension", { input: { extensionId: e.id, approve: false, comment: comment.value } }); });
      };
      actions = h("td", { class: "actions" }, comment, yes, no);
    }
    return h("tr", { "data-testid": "extension-row", "data-extension-id": e.id },
      taskCell(o.task), deptCell(o.department),
      h("td", { text: e.previousDueOn + " → " + e.dueOn }),
      h("td", { class: "summary", title: e.reason, text: short(e.reason, 60) }),
      h("td", { text: when(e.requestedAt) }),
      actions);
  }

  var NOTICE_LEVELS = ["BLUE", "ORANGE", "RED"];

  function renderOverdue() {
    var q = S.data.overdue, rows = keyed($("overdue-queue"));
    queueTitle("overdue-title", "逾期未报", q.nodes.length, q.totalCount);
    var sup = canSupervise();
    var period = S.period;
    q.nodes.forEach(function (o) {
      rows.add(o.task.id + "/" + o.department.id, [o, sup, period.id], function () { return overdueRow(o, sup, period); });
    });
    rows.done(emptyRow(6, "没有逾期未报的任务"));
  }

  function overdueRow(o, sup, period) {
    var issued = o.notices.map(function (n) { return n.level; });
    // The next level above the highest issued (BLUE → ORANGE → RED), none after RED.
    var highest = Math.max.apply(null, [-1].concat(issued.map(function (l) { return NOTICE_LEVELS.indexOf(l); })));
    var next = NOTICE_LEVELS[highest + 1];
    var cell = null;
    if (sup && next) {
      var button = h("button", { "data-testid": "notice-issue", class: "warn", text: "发" + LEVELS[next] + "单" });
      button.onclick = function () {
        act(button, function () {
          return gql("BoardIssueNotice", {
            input: {
              taskId: o.task.id, periodId: period.id, departmentId: o.department.id, level: next,
              message: "第 " + o.task.number + " 项任务 " + period.label + " 进展逾期未报，请于收到本督办单后尽快报送。",
            },
          });
        });
      };
      cell = h("td", { class: "actions" }, button);
    } else if (sup) {
      cell = h("td", { text: "已发红色督办单" });
    }
    return h("tr", { "data-testid": "overdue-row", "data-task-id": o.task.id, "data-department-id": o.department.id },
      taskCell(o.task), deptCell(o.department),
      h("td", { text: o.dueOn }),
      h("td", null, h("span", { class: "light " + o.light, text: LIGHTS[o.light] })),
      h("td", { text: issued.map(function (l) { return LEVELS[l]; }).join("、") || "未督办" }),
      cell);
  }

  function renderDepartments() {
    var rows = keyed($("department-table"));
    S.data.summary.byDepartment.forEach(function (r) {
      rows.add(r.department.id, r, function () {
        return h("tr", null, deptCell(r.department),
          h("td", { text: r.total }),
          ["red", "yellow", "blue", "green"].map(function (l) {
            return h("td", null, r[l] ? h("span", { class: "light " + l.toUpperCase(), text: r[l] }) : "0");
          }));
      });
    });
    rows.done(null);
  }

  // ---- a department's page -------------------------------------------------------------------

  function openDepartment(id) {
    var page = $("department-page");
    page.hidden = false;
    page.setAttribute("data-department-id", id);
    page.setAttribute("data-ready", "false");
    clear($("department-body")).appendChild(h("p", { text: "读取中…" }));
    gql("BoardDepartment", { departmentId: id, periodId: S.period.id }).then(function (data) {
      var d = data.department;
      if (!d || page.getAttribute("data-department-id") !== id) return;
      $("department-name").textContent = d.name + " · " + S.period.year + "年 " + S.period.label;
      var body = clear($("department-body"));
      body.appendChild(h("h3", { text: "应报事项（" + d.obligations.totalCount + "）" }));
      body.appendChild(h("table", null,
        h("thead", null, h("tr", null, ["任务", "状态", "预警", "截止", "进度", "报告", "审核"].map(function (t) { return h("th", { text: t }); }))),
        h("tbody", null, d.obligations.nodes.map(function (o) {
          var r = o.report;
          return h("tr", { "data-testid": "department-obligation" },
            taskCell(o.task),
            h("td", { text: STATES[o.state] || o.state }),
            h("td", null, h("span", { class: "light " + o.light, text: LIGHTS[o.light] })),
            h("td", { text: o.dueOn }),
            h("td", { text: r ? r.progressPercent + "%" : "" }),
            h("td", { class: "summary", title: r ? r.summary : "", text: r ? short(r.summary, 50) : "" }),
            h("td", { text: r ? ({ PENDING_REVIEW: "待审核", ACCEPTED: "已通过", RETURNED: "已退回" }[r.review.state] || r.review.state) : "" }));
        }))));
      body.appendChild(h("h3", { text: "督办单（" + d.notices.length + "）" }));
      body.appendChild(d.notices.length ? h("ul", null, d.notices.map(function (n) {
        return h("li", { "data-testid": "department-notice" },
          h("span", { class: "level " + n.level, text: LEVELS[n.level] }),
          " 第 " + n.task.number + " 项 · " + n.period.label + " · " + when(n.issuedAt) + " · " + n.message);
      })) : h("p", { class: "empty", text: "没有督办单" }));
      body.appendChild(h("h3", { text: "承担任务（" + d.tasks.totalCount + "）" }));
      body.appendChild(h("ul", { class: "tasks" }, d.tasks.nodes.map(function (t) {
        return h("li", null, h("b", { text: t.number + ". " }), t.content + (t.isCoLed ? "（多部门牵头）" : ""));
      })));
      page.setAttribute("data-ready", "true");
    }).catch(function (e) {
      showError("读取部门失败：" + e.message);
      page.setAttribute("data-ready", "true");
    });
  }

  // ---- the ledger ----------------------------------------------------------------------------

  function downloadLedger() {
    var url = new URL("/exports/ledger.xlsx", window.location.href);
    url.searchParams.set("documentId", S.document.id);
    url.searchParams.set("periodId", S.period.id);
    var button = $("ledger-download");
    button.disabled = true;
    fetch(url, { headers: { Authorization: "Bearer " + S.token } }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (body) {
          throw new Error((body.errors && body.errors[0] && body.errors[0].message) || "HTTP " + response.status);
        }, function () { throw new Error("HTTP " + response.status); });
      }
      var name = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get("Content-Disposition") || "");
      return response.blob().then(function (blob) {
        var a = h("a", { href: URL.createObjectURL(blob), download: name ? decodeURIComponent(name[1]) : "台账.xlsx" });
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    }).catch(function (e) {
      showError("下载台账失败：" + e.message);
    }).then(function () { button.disabled = false; });
  }

  // ---- live events over graphql-transport-ws -------------------------------------------------

  function closeSocket() {
    if (S.socket) {
      S.socket.onclose = null;
      S.socket.close(1000);
    }
    S.socket = null;
    $("live").textContent = "";
  }

  // One subscription for the session: every supervision event; those on the chosen list are
  // shown (whatever their period) and refresh the numbers.
  function subscribe() {
    if (S.socket) return;
    var socket = new WebSocket(WS, "graphql-transport-ws");
    S.socket = socket;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: "Bearer " + S.token } }));
    };
    socket.onmessage = function (m) {
      var msg = JSON.parse(m.data);
      if (msg.type === "connection_ack") {
        socket.send(JSON.stringify({
          id: "events", type: "subscribe",
          payload: { query: OPS.BoardEvents, operationName: "BoardEvents", variables: {} },
        }));
        $("live").textContent = "● 实时";
      } else if (msg.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "next" && msg.payload && msg.payload.data) {
        var e = msg.payload.data.supervisionEvents;
        if (S.document && (!e.task || e.task.document.id === S.document.id)) {
          addEvent(e);
          reloadSoon();
        }
      } else if (msg.type === "error") {
        showError("实时事件订阅失败：" + (msg.payload && msg.payload[0] ? msg.payload[0].message : ""));
      }
    };
    socket.onclose = function () {
      if (S.socket !== socket) return;
      S.socket = null;
      $("live").textContent = "○ 重新连接中";
      setTimeout(function () { if (S.token && !S.socket) subscribe(); }, 3000);
    };
  }

  function addEvent(e) {
    var feed = $("event-feed");
    var empty = feed.querySelector(".empty");
    if (empty) empty.remove();
    var text = when(e.at) + " " + (ACTIONS[e.action] || e.action) +
      (e.department ? " · " + e.department.name : "") + (e.task ? " · 第 " + e.task.number + " 项" : "") + " · " + e.actor;
    var item = h("li", { "data-testid": "event", "data-action": e.action, "data-event-id": e.id }, text, " ", h("code", { text: e.action }));
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > 50) feed.removeChild(feed.lastChild);
  }

  // ---- wiring --------------------------------------------------------------------------------

  $("sign-in-form").onsubmit = function (e) {
    e.preventDefault();
    signIn($("token-input").value);
  };
  $("sign-out").onclick = signOut;
  $("document-select").onchange = function (e) { selectDocument(e.target.value); };
  $("period-select").onchange = function (e) { selectPeriod(e.target.value); };
  $("ledger-download").onclick = downloadLedger;
  $("refresh").onclick = load;
  $("department-close").onclick = function () { $("department-page").hidden = true; };

  var saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
})();
