@echo off
rem Runs dsv on Windows from the release archive: bin\dsv.bat, with the jars in ..\lib.
rem Java 17 or newer runs it: %JAVA_HOME%\bin\java.exe when JAVA_HOME is set, else java on the PATH.
rem Files are read and written as UTF-8. Messages follow the Windows display language unless
rem DSV_LANG (such as zh_CN or en) sets the language for dsv alone. DSV_JAVA_OPTS adds JVM options,
rem for example set DSV_JAVA_OPTS=-Xmx512m.
rem NOTE: dsv writes its output as UTF-8; in a console with another code page, run chcp 65001 first
rem to see non-ASCII text. This script has not been run on Windows by the test suite.
setlocal
set "DSV_HOME=%~dp0.."
set "JAVA_EXE=java"
if defined JAVA_HOME set "JAVA_EXE=%JAVA_HOME%\bin\java.exe"
set "LANGUAGE_OPTS="
if defined DSV_LANG (
  for /f "tokens=1,2 delims=_-." %%a in ("%DSV_LANG%") do set "LANGUAGE_OPTS=-Duser.language=%%a -Duser.country=%%b"
)
"%JAVA_EXE%" -Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8 %LANGUAGE_OPTS% %DSV_JAVA_OPTS% -cp "%DSV_HOME%\lib\*" dev.dsv.cli.Main %*
exit /b %ERRORLEVEL%
