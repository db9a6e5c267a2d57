// GitHub Actions workflow commands (`::error file=…::message`): escaping of their data and properties.

/** A command's message: `%`, CR and LF escaped. */
export const escapeData = (s: string): string =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");

/** A property value (`file=`, `title=`): also `:` and `,`. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
