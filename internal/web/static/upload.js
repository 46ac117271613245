// The evidence page's one script: with it, the file form sends its file
// as a tus 1.0 resumable upload (/admin/uploads/), in pieces, and after a
// dropped connection goes on from the last byte the server holds. Without
// it the form is a plain multipart POST. Written by hand, no library: the
// client side of tus is small. Messages come from the form's data-msg-*
// attributes (the page's language).
(function () {
  'use strict';
  var form = document.getElementById('evidence-form');
  if (!form || !window.XMLHttpRequest || !window.Promise || !window.TextEncoder) {
    return;
  }
  var d = form.dataset;
  var input = form.querySelector('input[type="file"]');
  var button = form.querySelector('button[type="submit"]');
  var token = form.querySelector('input[name="csrf"]').value;
  var chunk = parseInt(d.chunk, 10) || 8 << 20;
  var hint = document.getElementById('file-hint');
  if (hint && d.msgHint) {
    hint.textContent = d.msgHint;
  }
  var bar = document.createElement('progress');
  bar.max = 100;
  bar.value = 0;
  bar.hidden = true;
  bar.id = 'upload-progress';
  var status = document.createElement('p');
  status.id = 'upload-status';
  status.setAttribute('role', 'status');
  button.parentNode.parentNode.insertBefore(bar, button.parentNode);
  button.parentNode.parentNode.insertBefore(status, button.parentNode);

  function say(msg, vars) {
    status.textContent = msg.replace(/\{(\w+)\}/g, function (all, k) {
      return vars && k in vars ? vars[k] : all;
    });
  }
  function mib(n) {
    return (n / 1048576).toFixed(1);
  }
  function pct(done, total) {
    return total ? Math.floor(done * 100 / total) : 100;
  }
  // Upload-Metadata values are base64 of UTF-8.
  function b64(s) {
    var bytes = new TextEncoder().encode(s);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin);
  }
  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // send resolves with the finished request whatever its status, and
  // rejects only when the network failed (no answer at all).
  function send(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open(method, url);
      x.setRequestHeader('Tus-Resumable', '1.0.0');
      x.setRequestHeader('X-CSRF-Token', token);
      Object.keys(headers).forEach(function (k) { x.setRequestHeader(k, headers[k]); });
      if (onProgress) {
        x.upload.onprogress = onProgress;
      }
      x.onload = function () { resolve(x); };
      x.onerror = x.ontimeout = x.onabort = function () { reject(new Error('network')); };
      x.send(body === undefined ? null : body);
    });
  }

  function Refused(x) {
    this.why = (x.responseText || '').trim() || String(x.status);
  }

  // withRetry runs attempt until the network answers, waiting longer
  // after each failure (1 s, 2 s, … up to 30 s) and saying so;
  // afterFailure: the network has just failed, wait before the first.
  function withRetry(attempt, shown, afterFailure) {
    var delay = 1000;
    function again() {
      say(d.msgRetry, { pct: shown(), s: Math.round(delay / 1000) });
      var ms = delay;
      delay = Math.min(delay * 2, 30000);
      return wait(ms).then(go);
    }
    function go() {
      return attempt().catch(function (err) {
        if (err instanceof Refused) {
          throw err;
        }
        return again();
      });
    }
    return afterFailure ? again() : go();
  }

  function upload(file) {
    var size = file.size;
    var offset = 0;
    var location = null;
    function progress(n) {
      bar.value = pct(n, size);
      say(d.msgProgress, { sent: mib(n), total: mib(size), pct: pct(n, size) });
    }
    var meta = ['filename ' + b64(file.name)];
    if (file.type) {
      meta.push('filetype ' + b64(file.type));
    }
    ['person', 'incident', 'claim'].forEach(function (k) {
      var f = form.elements[k];
      if (f && f.value.trim() !== '') {
        meta.push(k + ' ' + b64(f.value.trim()));
      }
    });
    function create() {
      return send('POST', d.tus, { 'Upload-Length': String(size), 'Upload-Metadata': meta.join(',') }).then(function (x) {
        if (x.status !== 201 || !x.getResponseHeader('Location')) {
          throw new Refused(x);
        }
        location = new URL(x.getResponseHeader('Location'), window.location.href).href;
      });
    }
    // resume asks the server how much it holds (after a dropped PATCH,
    // that is the last byte it wrote, not the last one we sent).
    function resume() {
      return send('HEAD', location, {}).then(function (x) {
        if (x.status === 404 || x.status === 410) {
          throw new Refused({ status: x.status, responseText: d.msgGone });
        }
        if (x.status !== 200 && x.status !== 204) {
          throw new Refused(x);
        }
        offset = parseInt(x.getResponseHeader('Upload-Offset'), 10) || 0;
        progress(offset);
      });
    }
    // patch sends one piece; it resolves with the item's id once the
    // last piece is in and the server has sealed the file.
    function patch() {
      var end = Math.min(offset + chunk, size);
      var last = end === size;
      return send('PATCH', location, { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        file.slice(offset, end), function (e) {
          progress(offset + e.loaded);
          if (last && e.loaded === e.total) {
            say(d.msgSealing);
          }
        }).then(function (x) {
        if (x.status === 409) {
          return resume().then(patch); // we and the server disagree on the offset: ask it
        }
        if (x.status !== 204) {
          throw new Refused(x);
        }
        offset = parseInt(x.getResponseHeader('Upload-Offset'), 10);
        var id = x.getResponseHeader('Rollcall-Evidence-Id');
        if (id) {
          return { id: id, again: x.getResponseHeader('Rollcall-Evidence-Duplicate') === '1' };
        }
        progress(offset);
        return patch();
      });
    }
    function shown() {
      return pct(offset, size);
    }
    function patchResuming() {
      return patch().catch(function (err) {
        if (err instanceof Refused) {
          throw err;
        }
        return withRetry(resume, shown, true).then(patchResuming);
      });
    }
    progress(0);
    return withRetry(create, shown).then(patchResuming);
  }

  form.addEventListener('submit', function (ev) {
    var file = input.files && input.files[0];
    if (!file) {
      return; // the browser's own check (required) or the plain form
    }
    ev.preventDefault();
    if (d.limit && file.size > parseInt(d.limit, 10)) {
      say(d.msgTooLarge);
      return;
    }
    button.disabled = true;
    bar.hidden = false;
    upload(file).then(function (done) {
      var u = d.done.replace('{id}', encodeURIComponent(done.id));
      if (done.again && u.indexOf('?') >= 0) {
        u += '&again=1';
      }
      window.location.assign(u);
    }, function (err) {
      button.disabled = false;
      say(d.msgRefused, { why: err instanceof Refused ? err.why : String(err) });
    });
  });
})();
