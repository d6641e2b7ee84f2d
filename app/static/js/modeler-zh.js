/* Chinese labels of the bpmn-js modeler (palette, context pad, replace menu) as a translate module.
 * window.gjjModelerTranslate: a bpmn-js module; English when the page is not in Chinese.
 */
(function () {
  'use strict';
  var ZH = {
    'Activate hand tool': '激活抓手工具', 'Activate lasso tool': '激活套索工具',
    'Activate create/remove space tool': '激活创建/删除空间工具', 'Activate global connect tool': '激活全局连线工具',
    'Create start event': '创建开始事件', 'Create end event': '创建结束事件', 'Create task': '创建任务',
    'Create gateway': '创建网关', 'Create intermediate/boundary event': '创建中间/边界事件',
    'Create expanded sub-process': '创建展开的子流程', 'Create data object reference': '创建数据对象引用',
    'Create data store reference': '创建数据存储引用', 'Create pool/participant': '创建池/参与者',
    'Create group': '创建分组', 'Append end event': '追加结束事件', 'Append gateway': '追加网关',
    'Append task': '追加任务', 'Append intermediate/boundary event': '追加中间/边界事件',
    'Append timer intermediate catch event': '追加定时中间捕获事件', 'Append receive task': '追加接收任务',
    'Append message intermediate catch event': '追加消息中间捕获事件',
    'Append signal intermediate catch event': '追加信号中间捕获事件',
    'Append conditional intermediate catch event': '追加条件中间捕获事件',
    'Append compensation activity': '追加补偿活动', 'Add text annotation': '添加文本注释',
    'Change element': '更改元素类型', 'Connect to other element': '连接到其他元素',
    'Connect using association': '用关联连接', 'Connect using data input association': '用数据输入关联连接',
    'Delete': '删除', 'Add lane above': '在上方添加泳道', 'Add lane below': '在下方添加泳道',
    'Divide into two lanes': '分为两条泳道', 'Divide into three lanes': '分为三条泳道',
    'Align elements': '对齐元素', 'Distribute elements horizontally': '水平分布元素',
    'Distribute elements vertically': '垂直分布元素', 'Search in diagram': '在图中搜索',
    'Toggle non-interrupting': '切换非中断', 'Loop': '循环', 'Parallel multi-instance': '并行多实例',
    'Sequential multi-instance': '串行多实例', 'Open {element}': '打开 {element}',
    'Task': '任务', 'User task': '用户任务', 'Service task': '服务任务', 'Script task': '脚本任务',
    'Business rule task': '业务规则任务', 'Manual task': '手工任务', 'Send task': '发送任务',
    'Receive task': '接收任务', 'Call activity': '调用活动', 'Sub-process': '子流程',
    'Sub-process (collapsed)': '子流程（折叠）', 'Sub-process (expanded)': '子流程（展开）',
    'Event sub-process': '事件子流程', 'Transaction': '事务', 'Exclusive gateway': '排他网关',
    'Parallel gateway': '并行网关', 'Inclusive gateway': '包容网关', 'Complex gateway': '复杂网关',
    'Event-based gateway': '事件网关', 'Start event': '开始事件', 'End event': '结束事件',
    'Terminate end event': '终止结束事件', 'Intermediate throw event': '中间抛出事件',
    'Timer start event': '定时开始事件', 'Timer intermediate catch event': '定时中间捕获事件',
    'Timer boundary event': '定时边界事件', 'Timer boundary event (non-interrupting)': '定时边界事件（非中断）',
    'Message start event': '消息开始事件', 'Message end event': '消息结束事件',
    'Message intermediate catch event': '消息中间捕获事件', 'Message intermediate throw event': '消息中间抛出事件',
    'Message boundary event': '消息边界事件', 'Error end event': '错误结束事件', 'Error boundary event': '错误边界事件',
    'Signal start event': '信号开始事件', 'Signal end event': '信号结束事件',
    'Conditional start event': '条件开始事件', 'Sequence flow': '顺序流', 'Default flow': '默认流',
    'Conditional flow': '条件流', 'Data object reference': '数据对象引用', 'Data store reference': '数据存储引用',
    'Expanded pool/participant': '展开的池/参与者', 'Empty pool/participant': '空池/参与者',
    // dmn-js (decision tables)
    'When': '当', 'And': '且', 'Then': '则', 'Hit policy': '命中策略', 'Hit policy:': '命中策略：',
    'View DRD': '查看决策需求图', 'Annotation': '注释', 'Annotations': '注释', 'Add rule': '添加规则',
    'Add rule above': '在上方添加规则', 'Add rule below': '在下方添加规则', 'Remove rule': '删除规则',
    'Copy rule': '复制规则', 'Cut rule': '剪切规则', 'Paste rule above': '在上方粘贴规则',
    'Paste rule below': '在下方粘贴规则', 'Add input': '添加输入', 'Add output': '添加输出',
    'Add input column left': '在左侧添加输入列', 'Add input column right': '在右侧添加输入列',
    'Add output column left': '在左侧添加输出列', 'Add output column right': '在右侧添加输出列',
    'Remove input column': '删除输入列', 'Remove output column': '删除输出列', 'Input': '输入',
    'Output': '输出', 'Input label': '输入标签', 'Input expression': '输入表达式', 'Output label': '输出标签',
    'Output name': '输出名称', 'Input type': '输入类型', 'Output type': '输出类型', 'Type': '类型',
    'Expression': '表达式', 'Expression language': '表达式语言', 'Input values': '输入取值',
    'Output values': '输出取值', 'Predefined values': '预定义取值', 'Add values': '添加取值',
    'Value': '值', 'Values': '取值', 'Yes': '是', 'No': '否', 'Edit': '编辑',
    'Add cell description': '添加单元格说明', 'Remove cell description': '删除单元格说明',
    'Edit string': '编辑字符串', 'Edit number': '编辑数值', 'Edit boolean': '编辑布尔值',
    'Strings must be in double quotes': '字符串须加双引号', 'Decision name': '决策名称'
  };

  function translate(template, replacements) {
    var zh = (document.documentElement.lang || '').indexOf('zh') === 0;
    var text = (zh && ZH[template]) || template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements[key] !== undefined ? replacements[key] : '{' + key + '}';
    });
  }

  window.gjjModelerTranslate = { translate: ['value', translate] };
  window.gjjModelerTranslateText = translate;
})();
