/* The process modeler: bpmn-js Modeler plus a side panel for what gjj-flow reads from a model.
 * Requires bpmn-modeler.production.min.js (global BpmnJS) and modeler-zh.js (translate module).
 * Config: <script type="application/json" id="modeler-config"> {xmlUrl, saveUrl, csrf, roles, forms,
 *   operations: {name: {params, optional}}, labels: {...}} </script>
 * The panel edits: lane -> role; a task's form, time limit, clocks, separateFrom and risk hint (zh, en); any other
 * spiffworkflow property; a service task's named operation and parameters; gateway conditions; timers;
 * scripts. Unknown extensions (other vendors') are left as they are and saved back unchanged.
 */
(function () {
  'use strict';
  var SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core';
  var KNOWN = ['form', 'timeLimit', 'separateFrom', 'riskHint', 'riskHintEn', 'startsClock', 'stopsClock', 'pausesClock'];
  var cfg, L, modeler, moddle, modeling, canvas, panel, dirty = false;

  // -- reading and writing the model -----------------------------------------------------------------

  function extValues(bo) { return bo.extensionElements ? bo.extensionElements.values || [] : []; }

  function findExt(bo, type) {
    return extValues(bo).filter(function (v) { return v.$type === type; })[0];
  }

  function ensureExt(bo, type) {
    if (!bo.extensionElements) {
      bo.extensionElements = moddle.create('bpmn:ExtensionElements', { values: [] });
      bo.extensionElements.$parent = bo;
    }
    var ext = findExt(bo, type);
    if (!ext) {
      ext = moddle.createAny(type, SPIFF, { $children: [] });
      ext.$parent = bo.extensionElements;
      bo.extensionElements.values.push(ext);
    }
    ext.$children = ext.$children || [];
    return ext;
  }

  function child(parent, type, key, value) {
    return (parent && parent.$children || []).filter(function (c) {
      return c.$type === type && (key === undefined || c[key] === value);
    })[0];
  }

  function properties(bo) {
    var ext = findExt(bo, 'spiffworkflow:properties');
    return (ext && ext.$children || []).filter(function (c) { return c.$type === 'spiffworkflow:property'; });
  }

  function getProp(bo, name) {
    var found = properties(bo).filter(function (c) { return c.name === name; })[0];
    return found ? found.value || '' : '';
  }

  function setProp(bo, name, value) {
    var ext = ensureExt(bo, 'spiffworkflow:properties');
    var found = child(ext, 'spiffworkflow:property', 'name', name);
    if (!value) {
      if (found) { ext.$children.splice(ext.$children.indexOf(found), 1); }
    } else if (found) {
      found.value = value;
    } else {
      ext.$children.push(moddle.createAny('spiffworkflow:property', SPIFF, { name: name, value: value }));
    }
    changed();
  }

  function changed() { dirty = true; document.getElementById('modeler-save').disabled = false; }

  // -- building the panel ----------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function field(label, input, help) {
    var id = 'p-' + label.replace(/\W+/g, '-') + '-' + Math.random().toString(36).slice(2, 7);
    var group = el('div', { 'class': 'mb-2' });
    var lab = el('label', { 'for': id, 'class': 'form-label' }, label);
    input.id = input.id || id;
    lab.setAttribute('for', input.id);
    group.appendChild(lab);
    group.appendChild(input);
    if (help) { group.appendChild(el('div', { 'class': 'form-text' }, help)); }
    panel.appendChild(group);
    return input;
  }

  function textInput(value, onChange, attrs) {
    var input = el('input', Object.assign({ 'class': 'form-control form-control-sm', type: 'text' }, attrs || {}));
    input.value = value || '';
    input.addEventListener('change', function () { onChange(input.value.trim()); });
    return input;
  }

  function textArea(value, onChange) {
    var input = el('textarea', { 'class': 'form-control form-control-sm font-monospace', rows: '3' });
    input.value = value || '';
    input.addEventListener('change', function () { onChange(input.value); });
    return input;
  }

  function select(options, value, onChange) {
    var input = el('select', { 'class': 'form-select form-select-sm' });
    var values = options.slice();
    if (value && values.indexOf(value) < 0) { values.unshift(value); }
    [''].concat(values).forEach(function (v) {
      var opt = el('option', { value: v }, v || '—');
      if (v === (value || '')) { opt.selected = true; }
      input.appendChild(opt);
    });
    input.addEventListener('change', function () { onChange(input.value); });
    return input;
  }

  function heading(text) { panel.appendChild(el('h2', { 'class': 'h6 mt-2' }, text)); }

  function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

  function taskFields(bo) {
    var userLike = is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:StartEvent') || is(bo, 'bpmn:ManualTask');
    if (userLike) {
      field(L.form, select(cfg.forms, getProp(bo, 'form'), function (v) { setProp(bo, 'form', v); }))
        .setAttribute('data-prop', 'form');
    }
    if (is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:ManualTask')) {
      field(L.timeLimit, textInput(getProp(bo, 'timeLimit'), function (v) { setProp(bo, 'timeLimit', v); },
        { 'data-prop': 'timeLimit', placeholder: '3wd / 15cd' }), L.timeLimitHelp);
      field(L.separateFrom, textInput(getProp(bo, 'separateFrom'), function (v) { setProp(bo, 'separateFrom', v); },
        { 'data-prop': 'separateFrom' }), L.separateFromHelp);
      field(L.riskHint, textArea(getProp(bo, 'riskHint'), function (v) { setProp(bo, 'riskHint', v.trim()); }))
        .setAttribute('data-prop', 'riskHint');
      field(L.riskHintEn, textArea(getProp(bo, 'riskHintEn'), function (v) { setProp(bo, 'riskHintEn', v.trim()); }))
        .setAttribute('data-prop', 'riskHintEn');
    }
    if (is(bo, 'bpmn:FlowNode')) {
      [['startsClock', L.startsClock], ['stopsClock', L.stopsClock], ['pausesClock', L.pausesClock]]
        .forEach(function (pair) {
          field(pair[1], textInput(getProp(bo, pair[0]), function (v) { setProp(bo, pair[0], v); },
            { 'data-prop': pair[0] }));
        });
    }
  }

  function otherProperties(bo) {
    heading(L.otherProperties);
    var table = el('div', { id: 'other-properties' });
    properties(bo).filter(function (p) { return KNOWN.indexOf(p.name) < 0; }).forEach(function (p) {
      var row = el('div', { 'class': 'input-group input-group-sm mb-1' });
      row.appendChild(el('span', { 'class': 'input-group-text text-truncate', style: 'max-width:45%' }, p.name));
      row.appendChild(textInput(p.value, function (v) { setProp(bo, p.name, v); }, { 'aria-label': p.name }));
      table.appendChild(row);
    });
    panel.appendChild(table);
    var name = textInput('', function () {}, { placeholder: L.newPropertyName, 'aria-label': L.newPropertyName });
    var value = textInput('', function () {}, { placeholder: L.newPropertyValue, 'aria-label': L.newPropertyValue });
    var add = el('button', { type: 'button', 'class': 'btn btn-sm btn-outline-secondary' }, L.add);
    add.addEventListener('click', function () {
      if (name.value.trim() && value.value.trim()) { setProp(bo, name.value.trim(), value.value.trim()); show(current); }
    });
    var row = el('div', { 'class': 'input-group input-group-sm' });
    [name, value, add].forEach(function (n) { row.appendChild(n); });
    panel.appendChild(row);
  }

  function operationFields(bo) {
    var op = findExt(bo, 'spiffworkflow:serviceTaskOperator');
    var name = op ? op.id : '';
    field(L.operation, select(Object.keys(cfg.operations).sort(), name, function (v) {
      var ext = ensureExt(bo, 'spiffworkflow:serviceTaskOperator');
      ext.id = v;
      changed();
      show(current);
    })).setAttribute('data-prop', 'operation');
    if (!op || !cfg.operations[name]) { return; }
    field(L.resultVariable, textInput(op.resultVariable, function (v) { op.resultVariable = v; changed(); }));
    var params = child(op, 'spiffworkflow:parameters');
    var spec = cfg.operations[name];
    spec.params.concat(spec.optional).forEach(function (param) {
      var existing = child(params, 'spiffworkflow:parameter', 'id', param);
      var label = param + (spec.params.indexOf(param) < 0 ? ' (' + L.optional + ')' : '');
      field(label, textInput(existing ? existing.value : '', function (v) {
        if (!params) {
          params = moddle.createAny('spiffworkflow:parameters', SPIFF, { $children: [] });
          op.$children = op.$children || [];
          op.$children.push(params);
        }
        params.$children = params.$children || [];
        var item = child(params, 'spiffworkflow:parameter', 'id', param);
        if (!v && item) { params.$children.splice(params.$children.indexOf(item), 1); }
        else if (item) { item.value = v; }
        else if (v) { params.$children.push(moddle.createAny('spiffworkflow:parameter', SPIFF, { id: param, type: 'any', value: v })); }
        changed();
      }, { 'class': 'form-control form-control-sm font-monospace' }));
    });
  }

  function conditionField(element, bo) {
    var source = bo.sourceRef;
    if (!source || !is(source, 'bpmn:Gateway')) { return; }
    var body = bo.conditionExpression ? bo.conditionExpression.body : '';
    field(L.condition, textArea(body, function (v) {
      modeling.updateProperties(element, {
        conditionExpression: v.trim() ? moddle.create('bpmn:FormalExpression', { body: v.trim() }) : undefined
      });
      changed();
    }), L.conditionHelp).setAttribute('data-prop', 'condition');
  }

  function timerFields(element, bo) {
    var timer = (bo.eventDefinitions || []).filter(function (d) { return is(d, 'bpmn:TimerEventDefinition'); })[0];
    if (!timer) { return; }
    var kinds = ['timeDuration', 'timeDate', 'timeCycle'];
    var kind = kinds.filter(function (k) { return timer[k]; })[0] || 'timeDuration';
    var expression = timer[kind] ? timer[kind].body : '';
    function update(newKind, text) {
      var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      props[newKind] = text ? moddle.create('bpmn:FormalExpression', { body: text }) : undefined;
      modeling.updateModdleProperties(element, timer, props);
      changed();
    }
    var kindSelect = field(L.timerKind, select(kinds, kind, function (v) { kind = v || 'timeDuration'; update(kind, expression); }));
    kindSelect.setAttribute('data-prop', 'timerKind');
    field(L.timer, textInput(expression, function (v) { expression = v; update(kind, v); },
      { 'data-prop': 'timer', 'class': 'form-control form-control-sm font-monospace' }), L.timerHelp);
  }

  var current = null;

  function show(element) {
    current = element;
    panel.innerHTML = '';
    var bo = element && element.businessObject;
    if (!bo) { return; }    // during import the root is not the process yet
    panel.appendChild(el('div', { 'class': 'small text-muted', id: 'panel-element' }, bo.$type.replace('bpmn:', '') + ' · ' + (bo.id || '')));
    if (is(bo, 'bpmn:Lane')) {
      field(L.role, select(cfg.roles, bo.name, function (v) { modeling.updateProperties(element, { name: v }); changed(); }),
        L.roleHelp).setAttribute('data-prop', 'role');
      return;
    }
    if (!is(bo, 'bpmn:Process') && !is(bo, 'bpmn:Collaboration')) {
      field(L.name, textInput(bo.name, function (v) { modeling.updateLabel(element, v); changed(); }, { 'data-prop': 'name' }));
    }
    if (is(bo, 'bpmn:SequenceFlow')) { conditionField(element, bo); return; }
    if (is(bo, 'bpmn:ServiceTask')) { operationFields(bo); }
    if (is(bo, 'bpmn:ScriptTask')) {
      field(L.script, textArea(bo.script, function (v) { modeling.updateProperties(element, { script: v }); changed(); }),
        L.scriptHelp).setAttribute('data-prop', 'script');
    }
    if (is(bo, 'bpmn:Event')) { timerFields(element, bo); }
    taskFields(bo);
    if (is(bo, 'bpmn:FlowNode') || is(bo, 'bpmn:Process')) { otherProperties(bo); }
  }

  // -- saving and showing problems -------------------------------------------------------------------

  var marked = [];

  function showProblems(problems) {
    var list = document.getElementById('modeler-problems');
    var overlays = modeler.get('overlays');
    var registry = modeler.get('elementRegistry');
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, 'gjj-problem'); } });
    overlays.remove({ type: 'gjj-problem' });
    marked = [];
    list.innerHTML = '';
    list.hidden = !problems.length;
    problems.forEach(function (p) {
      var item = el('li', { 'class': 'list-group-item list-group-item-danger small', 'data-element': p.element || '' },
        (p.element ? p.element + ': ' : '') + p.message);
      list.appendChild(item);
      if (p.element && registry.get(p.element)) {
        canvas.addMarker(p.element, 'gjj-problem');
        marked.push(p.element);
        overlays.add(p.element, 'gjj-problem', { position: { top: -10, right: 10 },
          html: el('div', { 'class': 'gjj-problem-badge', title: p.message }, '!') });
      }
    });
  }

  function save() {
    var button = document.getElementById('modeler-save');
    button.disabled = true;
    modeler.saveXML({ format: true }).then(function (result) {
      return fetch(cfg.saveUrl, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf, 'Accept': 'application/json' },
        body: JSON.stringify({ xml: result.xml })
      });
    }).then(function (resp) {
      return resp.json().then(function (body) { return { status: resp.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 200) { dirty = false; window.location = answer.body.url; return; }
      showProblems(answer.body.problems || [{ message: answer.body.message || ('HTTP ' + answer.status) }]);
      button.disabled = false;
    }).catch(function (err) {
      showProblems([{ message: String(err) }]);
      button.disabled = false;
    });
  }

  function start() {
    var container = document.getElementById('modeler-canvas');
    cfg = JSON.parse(document.getElementById('modeler-config').textContent);
    L = cfg.labels;
    panel = document.getElementById('modeler-panel');
    modeler = new BpmnJS({ container: container, additionalModules: [window.gjjModelerTranslate] });
    moddle = modeler.get('moddle');
    modeling = modeler.get('modeling');
    canvas = modeler.get('canvas');
    modeler.on('selection.changed', function (e) { show(e.newSelection[0] || canvas.getRootElement()); });
    modeler.on('commandStack.changed', changed);
    document.getElementById('modeler-save').addEventListener('click', save);
    window.addEventListener('beforeunload', function (e) { if (dirty) { e.preventDefault(); e.returnValue = ''; } });
    fetch(cfg.xmlUrl, { credentials: 'same-origin' })
      .then(function (resp) { return resp.text(); })
      .then(function (xml) { return modeler.importXML(xml); })
      .then(function () {
        canvas.zoom('fit-viewport', 'auto');
        show(canvas.getRootElement());
        dirty = false;
        document.getElementById('modeler-save').disabled = true;
        container.dataset.state = 'ready';
        window.gjjModeler = modeler;   // for the browser test and the console
      })
      .catch(function (err) {
        container.dataset.state = 'error';
        showProblems([{ message: String(err) }]);
      });
  }

  document.addEventListener('DOMContentLoaded', start);
})();
