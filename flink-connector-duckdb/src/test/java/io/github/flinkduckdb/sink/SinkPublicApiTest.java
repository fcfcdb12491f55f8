package io.github.flinkduckdb.sink;

import org.apache.flink.shaded.asm9.org.objectweb.asm.AnnotationVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.FieldVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.MethodVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Opcodes;
import org.apache.flink.shaded.asm9.org.objectweb.asm.signature.SignatureReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.signature.SignatureVisitor;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink's public API stays small and self-contained: no {@code @Internal} type in the signature
 * of a member users can call, and a {@code final} sink that only its builder makes. Flink's API
 * annotations are not visible to reflection, so the class files are read.
 */
class SinkPublicApiTest {

    private static final String INTERNAL = "Lorg/apache/flink/annotation/Internal;";
    private static final String PUBLIC_EVOLVING = "Lorg/apache/flink/annotation/PublicEvolving;";
    private static final String VISIBLE_FOR_TESTING =
            "Lorg/apache/flink/annotation/VisibleForTesting;";

    private final Map<String, Set<String>> classAnnotations = new HashMap<>();

    @Test
    void publicEvolvingMembersUseNoInternalTypes() throws IOException {
        List<String> violations = new ArrayList<>();
        int checkedTypes = 0;
        for (String name : sinkPackageClasses()) {
            if (!annotationsOf(name).contains(PUBLIC_EVOLVING)) {
                continue;
            }
            checkedTypes++;
            for (String[] member : userFacingMembers(name)) {
                for (String used : classesIn(member[1])) {
                    if (annotationsOf(used).contains(INTERNAL)) {
                        violations.add(simpleName(name) + "." + member[0] + " uses " + used);
                    }
                }
            }
        }
        assertThat(checkedTypes).as("@PublicEvolving types in the sink package").isGreaterThan(5);
        assertThat(violations).isEmpty();
    }

    @Test
    void theOneUserExtensionPointIsTheRowWriter() throws IOException {
        assertThat(annotationsOf(internalName(RowWriter.class))).contains(PUBLIC_EVOLVING);
        assertThat(annotationsOf(internalName(DuckDBRowAppender.class))).contains(PUBLIC_EVOLVING);
        assertThat(annotationsOf(internalName(RecordConverter.class))).contains(INTERNAL);
        assertThat(annotationsOf(internalName(RowCollector.class))).contains(INTERNAL);
    }

    @Test
    void theSinkIsFinalAndBuiltOnlyByItsBuilder() {
        assertThat(Modifier.isFinal(DuckDBSink.class.getModifiers())).isTrue();
        for (Constructor<?> c : DuckDBSink.class.getDeclaredConstructors()) {
            assertThat(
                            Modifier.isPublic(c.getModifiers())
                                    || Modifier.isProtected(c.getModifiers()))
                    .as(c.toString())
                    .isFalse();
        }
    }

    /** {name, signature} of each public or protected member not marked internal or for tests. */
    private static List<String[]> userFacingMembers(String className) throws IOException {
        List<String[]> members = new ArrayList<>();
        read(className)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public MethodVisitor visitMethod(
                                    int access,
                                    String name,
                                    String descriptor,
                                    String signature,
                                    String[] exceptions) {
                                if (!userFacing(access)) {
                                    return null;
                                }
                                Set<String> annotations = new HashSet<>();
                                StringBuilder types =
                                        new StringBuilder(
                                                signature != null ? signature : descriptor);
                                if (exceptions != null) {
                                    for (String e : exceptions) {
                                        types.append('L').append(e).append(';');
                                    }
                                }
                                return new MethodVisitor(Opcodes.ASM9) {
                                    @Override
                                    public AnnotationVisitor visitAnnotation(
                                            String desc, boolean visible) {
                                        annotations.add(desc);
                                        return null;
                                    }

                                    @Override
                                    public void visitEnd() {
                                        if (!annotations.contains(INTERNAL)
                                                && !annotations.contains(VISIBLE_FOR_TESTING)) {
                                            members.add(new String[] {name, types.toString()});
                                        }
                                    }
                                };
                            }

                            @Override
                            public FieldVisitor visitField(
                                    int access,
                                    String name,
                                    String descriptor,
                                    String signature,
                                    Object value) {
                                if (userFacing(access)) {
                                    members.add(
                                            new String[] {
                                                name, signature != null ? signature : descriptor
                                            });
                                }
                                return null;
                            }
                        },
                        ClassReader.SKIP_CODE);
        return members;
    }

    private static boolean userFacing(int access) {
        return (access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED)) != 0
                && (access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) == 0;
    }

    /** The internal names of every class a descriptor or generic signature mentions. */
    private static Set<String> classesIn(String signatures) {
        Set<String> out = new TreeSet<>();
        // Several signatures may be concatenated; each 'L...;' at top level is a class type.
        SignatureVisitor collector =
                new SignatureVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitClassType(String name) {
                        out.add(name);
                    }
                };
        int i = 0;
        while (i < signatures.length()) {
            char c = signatures.charAt(i);
            if (c == 'L') {
                int end = endOfClassType(signatures, i);
                new SignatureReader(signatures.substring(i, end + 1)).acceptType(collector);
                i = end + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    private static int endOfClassType(String s, int start) {
        int depth = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ';' && depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("Unterminated class type in " + s);
    }

    private Set<String> annotationsOf(String className) throws IOException {
        Set<String> known = classAnnotations.get(className);
        if (known != null) {
            return known;
        }
        Set<String> annotations = new HashSet<>();
        if (getClass().getClassLoader().getResource(className + ".class") != null) {
            read(className)
                    .accept(
                            new ClassVisitor(Opcodes.ASM9) {
                                @Override
                                public AnnotationVisitor visitAnnotation(
                                        String desc, boolean visible) {
                                    annotations.add(desc);
                                    return null;
                                }
                            },
                            ClassReader.SKIP_CODE);
        }
        classAnnotations.put(className, annotations);
        return annotations;
    }

    private static ClassReader read(String className) throws IOException {
        try (InputStream in =
                SinkPublicApiTest.class
                        .getClassLoader()
                        .getResourceAsStream(className + ".class")) {
            if (in == null) {
                throw new IOException("No class file for " + className);
            }
            return new ClassReader(in);
        }
    }

    /** The top-level classes of the sink package, as internal names, from the classes folder. */
    private static List<String> sinkPackageClasses() {
        String folderName = internalName(DuckDBSink.class);
        folderName = folderName.substring(0, folderName.lastIndexOf('/'));
        File folder =
                new File(
                                DuckDBSink.class
                                        .getResource(DuckDBSink.class.getSimpleName() + ".class")
                                        .getPath())
                        .getParentFile();
        List<String> names = new ArrayList<>();
        for (String file : new TreeSet<>(java.util.Arrays.asList(folder.list()))) {
            if (file.endsWith(".class") && !file.contains("$")) {
                names.add(folderName + "/" + file.substring(0, file.length() - 6));
            }
        }
        assertThat(names).contains(internalName(DuckDBSink.class), internalName(RowWriter.class));
        return names;
    }

    private static String internalName(Class<?> type) {
        return type.getName().replace('.', '/');
    }

    private static String simpleName(String internalName) {
        return internalName.substring(internalName.lastIndexOf('/') + 1);
    }
}
