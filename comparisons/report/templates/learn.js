// Tabs in the style of d2l: choosing a framework shows it in every tab group that has it.
document.querySelectorAll('.tabs button').forEach(function (b) {
  b.addEventListener('click', function () {
    document.querySelectorAll('.tabs').forEach(function (t) {
      if (!t.querySelector('button[data-tab="' + b.dataset.tab + '"]')) return;
      t.querySelectorAll('[data-tab]').forEach(function (e) {
        e.classList.toggle('on', e.dataset.tab === b.dataset.tab);
      });
    });
  });
});
