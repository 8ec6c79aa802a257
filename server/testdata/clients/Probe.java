// Probe drives pgJDBC's DatabaseMetaData and ResultSetMetaData calls (the ones DBeaver's
// navigator and Metabase's sync are built on) against a server and prints one line per call:
// "ok NAME ROWS" or "ERR NAME SQLSTATE MESSAGE". Before each call it sends SELECT 'corpus:NAME'
// so that a statement log can be split by call. Usage: java Probe host:port user database.
import java.sql.*;

public class Probe {
    interface Call { ResultSet run(DatabaseMetaData md) throws SQLException; }

    static Connection c;

    static void mark(String name) throws SQLException {
        try (Statement s = c.createStatement()) { s.execute("SELECT 'corpus:" + name + "'"); }
    }

    static void call(DatabaseMetaData md, String name, Call f) throws SQLException {
        mark(name);
        try (ResultSet rs = f.run(md)) {
            int n = 0;
            while (rs.next()) n++;
            System.out.println("ok " + name + " " + n);
        } catch (SQLFeatureNotSupportedException e) {
            System.out.println("unsupported " + name);
        } catch (SQLException e) {
            System.out.println("ERR " + name + " " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + "/" + args[2] + "?user=" + args[1] + "&sslmode=disable";
        c = DriverManager.getConnection(url);
        DatabaseMetaData md = c.getMetaData();
        call(md, "getTables", m -> m.getTables(null, "public", "%", new String[]{"TABLE", "VIEW"}));
        call(md, "getTables-all", m -> m.getTables(null, null, "%", null));
        call(md, "getTables-one", m -> m.getTables(null, "public", "customers", null));
        call(md, "getColumns", m -> m.getColumns(null, "public", "customers", "%"));
        call(md, "getColumns-all", m -> m.getColumns(null, "public", "%", "%"));
        call(md, "getPrimaryKeys", m -> m.getPrimaryKeys(null, "public", "customers"));
        call(md, "getImportedKeys", m -> m.getImportedKeys(null, "public", "charges"));
        call(md, "getExportedKeys", m -> m.getExportedKeys(null, "public", "customers"));
        call(md, "getCrossReference", m -> m.getCrossReference(null, "public", "customers", null, "public", "charges"));
        call(md, "getIndexInfo", m -> m.getIndexInfo(null, "public", "customers", false, true));
        call(md, "getIndexInfo-unique", m -> m.getIndexInfo(null, "public", "charges", true, false));
        call(md, "getProcedures", m -> m.getProcedures(null, "public", "%"));
        call(md, "getProcedureColumns", m -> m.getProcedureColumns(null, "public", "cancelsubscription", "%"));
        call(md, "getFunctions", m -> m.getFunctions(null, "public", "%"));
        call(md, "getFunctionColumns", m -> m.getFunctionColumns(null, "public", "cancelsubscription", "%"));
        call(md, "getTypeInfo", m -> m.getTypeInfo());
        call(md, "getSchemas", m -> m.getSchemas());
        call(md, "getSchemas-pattern", m -> m.getSchemas(null, "pub%"));
        call(md, "getCatalogs", m -> m.getCatalogs());
        call(md, "getTableTypes", m -> m.getTableTypes());
        call(md, "getUDTs", m -> m.getUDTs(null, "public", "%", null));
        call(md, "getBestRowIdentifier", m -> m.getBestRowIdentifier(null, "public", "customers", DatabaseMetaData.bestRowSession, true));
        call(md, "getVersionColumns", m -> m.getVersionColumns(null, "public", "customers"));
        call(md, "getColumnPrivileges", m -> m.getColumnPrivileges(null, "public", "customers", "%"));
        call(md, "getTablePrivileges", m -> m.getTablePrivileges(null, "public", "customers"));
        call(md, "getClientInfoProperties", m -> m.getClientInfoProperties());
        call(md, "getPseudoColumns", m -> m.getPseudoColumns(null, "public", "customers", "%"));
        call(md, "getSuperTables", m -> m.getSuperTables(null, "public", "customers"));
        call(md, "getSuperTypes", m -> m.getSuperTypes(null, "public", "%"));
        call(md, "getAttributes", m -> m.getAttributes(null, "public", "%", "%"));
        mark("getSQLKeywords");
        try {
            System.out.println("ok getSQLKeywords " + md.getSQLKeywords().split(",").length);
        } catch (SQLException e) {
            System.out.println("ERR getSQLKeywords " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
        }
        // ResultSetMetaData: pgJDBC reads pg_attribute and pg_class for a result's base columns.
        mark("ResultSetMetaData");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, email FROM customers WHERE id = 'cus_none'")) {
            ResultSetMetaData rm = rs.getMetaData();
            System.out.println("ok ResultSetMetaData " + rm.getColumnCount() + " " + rm.getTableName(1) + " " + rm.getSchemaName(1) + " "
                + rm.isNullable(1) + " " + rm.isAutoIncrement(1) + " " + rm.getColumnTypeName(2));
        } catch (SQLException e) {
            System.out.println("ERR ResultSetMetaData " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
        }
        c.close();
    }
}
