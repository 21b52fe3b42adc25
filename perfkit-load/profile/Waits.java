import java.nio.file.*; import java.util.*; import jdk.jfr.consumer.*;
public class Waits {
  public static void main(String[] a) throws Exception {
    Map<String,Double> sum=new HashMap<>(); Map<String,Integer> cnt=new HashMap<>();
    for (RecordedEvent e: RecordingFile.readAllEvents(Path.of(a[0]))) {
      String type=e.getEventType().getName();
      if (!Set.of("jdk.ThreadPark","jdk.SocketRead","jdk.JavaMonitorEnter","jdk.JavaMonitorWait","jdk.FileWrite").contains(type)) continue;
      RecordedThread t=e.getThread("eventThread"); if (t==null||!t.getJavaName().startsWith("http-nio")) continue;
      if (t.getJavaName().contains("Poller")||t.getJavaName().contains("Acceptor")) continue;
      RecordedStackTrace st=e.getStackTrace(); String key=type+" ?";
      if (st!=null) { for (RecordedFrame f: st.getFrames()) { String m=f.getMethod().getType().getName()+"."+f.getMethod().getName();
        if (m.startsWith("com.zaxxer")||m.startsWith("org.postgresql")||m.startsWith("dev.perfkit")||m.startsWith("io.lettuce")||m.startsWith("ch.qos")||m.startsWith("org.apache.logging")||m.startsWith("org.hibernate")||m.startsWith("com.github.benmanes")||m.startsWith("org.apache.tomcat.util.threads.TaskQueue")) { key=type+" "+m; break; } } }
      sum.merge(key,e.getDuration().toNanos()/1e9,Double::sum); cnt.merge(key,1,Integer::sum);
    }
    sum.entrySet().stream().sorted((x,y)->Double.compare(y.getValue(),x.getValue())).limit(Integer.parseInt(a.length>1?a[1]:"20")).forEach(x->System.out.printf("%8.1f s %6d  %s%n",x.getValue(),cnt.get(x.getKey()),x.getKey()));
  }
}
