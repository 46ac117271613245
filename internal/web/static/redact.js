// The evidence item page's one script: an editor drags rectangles on the
// picture (shown upright, scaled to the page) and each fills the next
// empty row of the "make a public copy" form with X, Y, width and height
// in the picture's own pixels, the numbers the form (and the command
// line) take. Without it the editor types the numbers; the server checks
// them either way.
(function () {
  'use strict';
  var img = document.getElementById('mark-picture');
  var form = document.querySelector('form.derive-copy');
  if (!img || !form || !window.PointerEvent) {
    return;
  }
  var frame = img.parentNode;
  var names = ['x', 'y', 'w', 'h'];
  var start = null;
  var box = null;

  // point is where the pointer is on the picture, in shown pixels,
  // held inside it.
  function point(ev) {
    var r = img.getBoundingClientRect();
    return {
      x: Math.min(Math.max(ev.clientX - r.left, 0), r.width),
      y: Math.min(Math.max(ev.clientY - r.top, 0), r.height)
    };
  }

  function place(el, a, b) {
    el.style.left = Math.min(a.x, b.x) + 'px';
    el.style.top = Math.min(a.y, b.y) + 'px';
    el.style.width = Math.abs(a.x - b.x) + 'px';
    el.style.height = Math.abs(a.y - b.y) + 'px';
  }

  function field(name, row) {
    return document.getElementById('area-' + name + '-' + row);
  }

  // nextRow is the first row with all four fields empty; the last row
  // when every row is taken.
  function nextRow() {
    var row = 0;
    for (; field('x', row); row++) {
      var empty = names.every(function (n) { return field(n, row).value.trim() === ''; });
      if (empty) {
        return row;
      }
    }
    return row - 1;
  }

  img.addEventListener('dragstart', function (ev) { ev.preventDefault(); });
  img.addEventListener('pointerdown', function (ev) {
    if (ev.button !== 0) {
      return;
    }
    ev.preventDefault();
    img.setPointerCapture(ev.pointerId);
    start = point(ev);
    box = document.createElement('div');
    box.className = 'mark-box';
    frame.appendChild(box);
    place(box, start, start);
  });
  img.addEventListener('pointermove', function (ev) {
    if (start) {
      place(box, start, point(ev));
    }
  });
  function finish(ev) {
    if (!start) {
      return;
    }
    var end = point(ev);
    var a = start;
    start = null;
    // From the shown size to the picture's pixels.
    var sx = img.naturalWidth / img.getBoundingClientRect().width;
    var sy = img.naturalHeight / img.getBoundingClientRect().height;
    var x = Math.floor(Math.min(a.x, end.x) * sx);
    var y = Math.floor(Math.min(a.y, end.y) * sy);
    var w = Math.ceil(Math.max(a.x, end.x) * sx) - x;
    var h = Math.ceil(Math.max(a.y, end.y) * sy) - y;
    if (w < 2 || h < 2) {
      frame.removeChild(box); // a click, not a drag
      return;
    }
    var row = nextRow();
    var v = { x: x, y: y, w: w, h: h };
    names.forEach(function (n) { field(n, row).value = String(v[n]); });
  }
  img.addEventListener('pointerup', finish);
  img.addEventListener('pointercancel', function () {
    if (box && start) {
      frame.removeChild(box);
    }
    start = null;
  });
})();
