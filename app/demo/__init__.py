"""``zorgcert demo``: a local issuer, a demo practice with a user, and the app pointed at it.

* :mod:`app.demo.supervisor` - the command: start the children, tell the user what to do, stop them all;
* :mod:`app.demo.children` - child processes in their own process groups that cannot outlive the demo;
* :mod:`app.demo.localissuer` - start a local ``zorgcert-issuer serve`` and learn its address from
  its ready file (also used by the benchmarks and the test harnesses);
* :mod:`app.demo.keyring` - the demo's own Secret Service (Linux);
* :mod:`app.demo.practice` - the demo practice, its contact person and the user to install;
* :mod:`app.demo.folder` - the demo folder and the error the demo stops with;
* :mod:`app.demo.appenv` - the app's environment, its window and the command lines the demo prints.
"""
