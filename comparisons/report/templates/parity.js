document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    navigator.clipboard.writeText(document.getElementById(b.dataset.target).innerText);
    b.textContent = 'copied';
  });
});
